/**
 * The JSON admin API (`/api/v1`): the settings pages' operations for scripts and tools. Errors use the
 * `{ "error": { code, message, details } }` problem shape, from this plugin's own onError; the OpenAPI
 * document is at `/api/v1/openapi.json` and a readable index at `/api/v1/docs` (no third-party viewer:
 * nothing is loaded from a CDN).
 */
import { Elysia } from "elysia";
import { openapi } from "@elysiajs/openapi";
import type { Deps } from "../deps";
import { NotFoundError } from "../errors";
import { apiErrors } from "../http/errors";
import { auditRoutes } from "./audit";
import { apiDocsPage, type OpenApiSpec } from "./docs-page";
import { doctorRoutes } from "./doctor";
import { keyRoutes } from "./keys";
import { orgRoutes } from "./org";
import { projectRoutes } from "./projects";
import { publishRoutes } from "./publish";
import { toolRoutes } from "./tools";

/** Where the JSON API lives. */
export const API_PREFIX = "/api/v1";

const DESCRIPTION = `Portico's settings API: the same operations as the settings pages, with the same role checks.
Authenticate with a signed-in session cookie (state-changing requests must send the session's CSRF token,
from GET /api/v1/me, in the X-CSRF-Token header) or with an API key: \`Authorization: Bearer prt_…\`.
A key reaches only its own project and does only what its scopes allow (project:read for production reads,
draft + project:write for anything on the draft, publish, settings for audit/keys/visibility/settings/the connection doctor), never
more than its creator's current role; organization and account operations need a session. Errors: \`{ "error": { "code", "message", "details" } }\`.`;

/** The whole JSON API, for `createApp`. */
export function apiPlugin(deps: Deps) {
  const api = new Elysia({ name: "api", prefix: API_PREFIX })
    .use(
      openapi({
        path: "/docs/ui",
        specPath: "/openapi.json",
        provider: null,
        // The plugin sees every route of the app it is mounted in; the document describes this API only.
        exclude: { paths: [new RegExp(`^(?!${API_PREFIX}/)`)] },
        documentation: {
          info: { title: "Portico API", version: "1", description: DESCRIPTION },
          components: {
            securitySchemes: {
              apiKey: { type: "http", scheme: "bearer", description: "A project API key (prt_…)" },
              session: { type: "apiKey", in: "cookie", name: "portico_session", description: "Browser session; send X-CSRF-Token on writes" },
            },
          },
          security: [{ apiKey: [] }, { session: [] }],
        },
      }),
    )
    .use(projectRoutes(deps))
    .use(toolRoutes(deps))
    .use(publishRoutes(deps))
    .use(auditRoutes(deps))
    .use(doctorRoutes(deps))
    .use(keyRoutes(deps))
    .use(orgRoutes(deps));
  // The index page reads the generated document from this plugin in-process (no network, no CDN).
  api.get(
    "/docs",
    async () => apiDocsPage((await (await api.handle(new Request(`http://localhost${API_PREFIX}/openapi.json`))).json()) as OpenApiSpec),
    { detail: { hide: true } },
  );
  // The face's local onError covers every API route used after it; unknown API addresses (any method,
  // and /api/* beyond v1) are the API's 404 in its problem shape, not the app's page.
  return new Elysia({ name: "api-face" })
    .onError(apiErrors(deps.log))
    .use(api)
    .all("/api/*", notFound, { detail: { hide: true } });
}

function notFound(): never {
  throw new NotFoundError("There is no page at this address.");
}
