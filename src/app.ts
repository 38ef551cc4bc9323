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
import { pageErrors } from "./http/errors";

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
    .onError(pageErrors(deps.log));
}

export type App = Awaited<ReturnType<typeof createApp>>;
