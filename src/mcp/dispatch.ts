/** The MCP methods Portico serves, by name; anything else is -32601 (JSON-RPC 2.0 §5.1). */
import { JsonRpcError, RPC } from "./rpc-errors";
import type { RequestContext } from "./context";
import { complete, discover, initialize, setLevel } from "./methods/lifecycle";
import { getPrompt, listPrompts } from "./methods/prompts";
import { listResourceTemplates, listResources, readResource } from "./methods/resources";
import { callTool, listTools } from "./methods/tools";

type Handler = (ctx: RequestContext, params: unknown) => unknown;

/** What both worlds serve. */
const SHARED: Record<string, Handler> = {
  "server/discover": discover,
  "tools/list": listTools,
  "tools/call": callTool,
  "resources/list": listResources,
  "resources/read": readResource,
  "resources/templates/list": listResourceTemplates,
  "prompts/list": listPrompts,
  "prompts/get": getPrompt,
  "completion/complete": complete,
};

/** The 2025 revisions (sessions): initialize first, then the rest. */
const METHODS: Record<string, Handler> = { initialize, ping: () => ({}), "logging/setLevel": setLevel, ...SHARED };

/**
 * MCP 2026-07-28 (stateless): no initialize, ping or logging/setLevel (removed, SEP-2575), no
 * resources/subscribe (replaced by subscriptions/listen, which the transport serves as a stream).
 */
const STATELESS_METHODS: Record<string, Handler> = SHARED;

export function dispatch(ctx: RequestContext, method: string, params: unknown): unknown {
  const table = ctx.stateless ? STATELESS_METHODS : METHODS;
  const handler = Object.hasOwn(table, method) ? table[method] : undefined;
  if (!handler) throw new JsonRpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${method.slice(0, 100)}`);
  return handler(ctx, params);
}
