/**
 * `subscriptions/listen` (MCP 2026-07-28 §Subscriptions): the response is a long-lived SSE stream. Its
 * first message acknowledges the subset of the requested filter Portico honours (tools, prompts and
 * resources list changes; per-resource subscriptions are not offered, so they are left out); list
 * changes follow, tagged with the subscription id. Listening needs what listing does (project:read, and
 * draft on the draft channel). Streams count against the project's stream cap with the 2025 GET streams,
 * lift Bun's idle timeout and carry an SSE comment keepalive (`sse.ts`).
 */
import { credentialId } from "../../auth/principal";
import type { McpDeps } from "../context";
import { refusal, type Guarded, type RouteInput } from "../guard";
import { requireMethodScope } from "../permissions";
import type { RpcRequest } from "../rpc";
import { RPC } from "../rpc-errors";
import { auditRequest, requestContext, type World } from "../run-request";
import type { McpService } from "../service";
import { SseStream } from "../sse";
import { listenerOf, tagged, type ListenFilter } from "./listeners";

/** The filter Portico agrees to: the list-changed flags the client set to true. */
function agreedFilter(params: Record<string, unknown> | undefined): ListenFilter {
  const asked = (params?.notifications ?? {}) as Record<string, unknown>;
  const filter: ListenFilter = {};
  if (asked.toolsListChanged === true) filter.toolsListChanged = true;
  if (asked.promptsListChanged === true) filter.promptsListChanged = true;
  if (asked.resourcesListChanged === true) filter.resourcesListChanged = true;
  return filter;
}

/** Listen streams one credential (or, for anonymous callers, one address) may hold on a project. */
export const MAX_LISTENERS_PER_CREDENTIAL = 10;

export function openListen(deps: McpDeps, service: McpService, input: RouteInput, g: Guarded, req: RpcRequest, world: World & { stateless: true }): Response {
  const ctx = requestContext(deps, service, g, input, world, null);
  // Every refusal is audited like a refused call (the review found listen refusals left no row).
  const refused = (errorClass: "auth" | "protocol", err: Error): Error => {
    ctx.notes.status = "error";
    ctx.notes.errorClass = errorClass;
    ctx.notes.error = err.message;
    auditRequest(ctx, req.method, g.ip, 0);
    return err;
  };
  try {
    requireMethodScope(ctx, "project:read");
  } catch (err) {
    throw refused("auth", err as Error);
  }
  const params = req.params as Record<string, unknown> | undefined;
  if (params?.notifications !== undefined && (typeof params.notifications !== "object" || params.notifications === null || Array.isArray(params.notifications))) {
    const message = "Invalid params: notifications: expected an object of flags.";
    refused("protocol", new Error(message));
    return Response.json({ jsonrpc: "2.0", id: req.id, error: { code: RPC.INVALID_PARAMS, message } }, { status: 200, headers: g.headers });
  }
  if (service.listeners.draining) throw refused("protocol", refusal(503, RPC.INVALID_REQUEST, "The server is shutting down.", { "retry-after": "5" }));
  const open = service.listeners.of(g.project.id) + service.sessions.streamsOf(g.project.id);
  if (open >= deps.config.maxStreamsPerProject || service.listeners.heldBy(g.project.id, credentialId(g.principal)) >= MAX_LISTENERS_PER_CREDENTIAL) {
    throw refused("protocol", refusal(429, RPC.RATE_LIMITED, "Too many open notification streams on this project; close one or try again later.", { "retry-after": "30" }));
  }
  const filter = agreedFilter(params);
  const listener = listenerOf(g.principal, g.target, req.id, filter, new SseStream(() => service.listeners.remove(listener), false));
  service.listeners.add(listener);
  listener.stream.send(tagged("notifications/subscriptions/acknowledged", req.id, { notifications: filter }));
  auditRequest(ctx, req.method, g.ip, 0);
  return listener.stream.response(input.request, input.server, g.headers);
}
