/**
 * Builds the HTTP app from one plugin per domain. Tests call `createApp(deps).handle(new Request(...))`
 * in-process; `src/server.ts` puts it on a real listener.
 */
import { Elysia } from "elysia";
import type { Deps } from "./deps";
import { healthPlugin } from "./http/health";
import { oauthPlugin } from "./oauth/plugin";
import { authPlugin } from "./auth/plugin";
import { adminPlugin } from "./admin/plugin";
import { apiPlugin } from "./api/plugin";
import { mcpPlugin } from "./mcp/plugin";
import { errorResponse } from "./http/errors";
import { ValidationError, NotFoundError } from "./errors";

export function createApp(deps: Deps) {
  return new Elysia({ name: "portico" })
    .onError(({ error, code, request }) => {
      const path = new URL(request.url).pathname;
      if (code === "NOT_FOUND") return errorResponse(new NotFoundError("There is no page at this address."), path, deps.log);
      if (code === "VALIDATION" || code === "PARSE") {
        return errorResponse(new ValidationError("The request could not be read: check its parameters."), path, deps.log);
      }
      return errorResponse(error, path, deps.log);
    })
    .use(healthPlugin(deps))
    .use(oauthPlugin(deps))
    .use(authPlugin(deps))
    .use(adminPlugin(deps))
    .use(apiPlugin(deps))
    .use(mcpPlugin(deps));
}

export type App = ReturnType<typeof createApp>;
