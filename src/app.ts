/**
 * Builds the HTTP app from one plugin per domain. Tests call `createApp(deps).handle(new Request(...))`
 * in-process; `src/server.ts` puts it on a real listener.
 *
 * Errors (docs/architecture.md, "Error model"): each face plugin answers its own routes' errors in its own
 * format through a local onError. The app-level handler, registered after every plugin, only sees what
 * no face owns — an address no route matches, and the health/metrics routes — and answers as a page.
 */
import { Elysia } from "elysia";
import type { Deps } from "./deps";
import { healthPlugin } from "./http/health";
import { oauthPlugin } from "./oauth/plugin";
import { authPlugin } from "./auth/plugin";
import { adminPlugin } from "./admin/plugin";
import { apiPlugin } from "./api/plugin";
import { mcpPlugin } from "./mcp/plugin";
import { pageErrors, type ElysiaErrorInput } from "./http/errors";
import { recordMetadataMiss } from "./oauth/metadata-miss";

export async function createApp(deps: Deps) {
  // Hot-path rate-limit counts sync with the other instances while the app serves (src/lib/rate-limits.ts).
  deps.rateLimits.start();
  return new Elysia({ name: "portico" })
    .use(healthPlugin(deps))
    .use(await oauthPlugin(deps))
    .use(authPlugin(deps))
    .use(adminPlugin(deps))
    .use(apiPlugin(deps))
    .use(mcpPlugin(deps))
    .onError(notFoundOrError(deps));
}

/**
 * The app-level page errors, and first, for an unmatched well-known path naming a project, a note to the
 * connection doctor (src/oauth/metadata-miss.ts). The note never turns the 404 into another answer.
 */
function notFoundOrError(deps: Deps) {
  const pages = pageErrors(deps.log);
  // Destructured, not `(input) => pages(input)`: Elysia infers from each hook's source which parts of the
  // context every route must prepare, and a hook that hands the whole context on made every route — the MCP
  // endpoints included — parse cookies and query strings and rebuild its Response to merge headers (issue 19).
  return async ({ code, error, request }: ElysiaErrorInput) => {
    if (code === "NOT_FOUND") await recordMetadataMiss(deps, request).catch((err) => deps.log.warn({ err: String(err) }, "connection doctor: metadata miss not recorded"));
    return pages({ code, error, request });
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
