/**
 * The MCP endpoints: `/{org}/{project}` (production) and `/{org}/{project}/draft`, with or without a
 * trailing slash (served the same, no redirect). Bodies are read raw (Elysia parsing off) so the size
 * cap and JSON-RPC parse errors are ours. CORS preflights are answered before any authentication. Every
 * failure of these routes is thrown and answered as JSON-RPC by the plugin's own onError.
 */
import { Elysia } from "elysia";
import { scheduleAuditRetention } from "../audit/retention";
import type { Channel } from "../db/schema";
import { preflight } from "../http/cors";
import { metricsPlugin } from "../http/metrics";
import type { McpDeps } from "./context";
import { watchListChanged } from "./list-changed";
import { handlePost } from "./endpoint";
import { mcpErrors } from "./error-response";
import type { RouteInput } from "./guard";
import { McpService } from "./service";
import { handleDelete, handleGet } from "./session-endpoints";

const METHODS = "GET, POST, DELETE, OPTIONS";

export function mcpPlugin(deps: McpDeps) {
  const service = new McpService(deps);
  scheduleAuditRetention(deps);
  const stopWatching = watchListChanged(deps, [service.sessions, service.listeners]);
  deps.drainHooks.push(() => {
    service.sessions.closeStreams();
    service.listeners.closeAll();
  });
  deps.shutdownHooks.push(() => {
    stopWatching();
    service.close();
  });
  const route = (channel: Channel, handler: (deps: McpDeps, service: McpService, input: RouteInput) => Promise<Response>) =>
    ({ request, params, server }: { request: Request; params: { org: string; project: string }; server: unknown }) =>
      handler(deps, service, { request, params, channel, server: server as RouteInput["server"] });
  const options = ({ request }: { request: Request }) => preflight(request, deps.config, METHODS);
  return new Elysia({ name: "mcp" })
    .use(metricsPlugin(deps, service.metrics.registry))
    // Local, and after /metrics: only the MCP routes below answer in JSON-RPC (docs/architecture.md, "Error model").
    .onError(mcpErrors(deps.config, deps.log))
    .post("/:org/:project", route("production", handlePost), { parse: "none" })
    .get("/:org/:project", route("production", handleGet))
    .delete("/:org/:project", route("production", handleDelete), { parse: "none" })
    .options("/:org/:project", options)
    .post("/:org/:project/draft", route("draft", handlePost), { parse: "none" })
    .get("/:org/:project/draft", route("draft", handleGet))
    .delete("/:org/:project/draft", route("draft", handleDelete), { parse: "none" })
    .options("/:org/:project/draft", options);
}
