/** The MCP methods Portico serves, by name; anything else is -32601 (JSON-RPC 2.0 §5.1). */
import { JsonRpcError, RPC } from "./rpc-errors";
import type { RequestContext } from "./context";
import { complete, initialize, setLevel } from "./methods/lifecycle";
import { getPrompt, listPrompts } from "./methods/prompts";
import { listResourceTemplates, listResources, readResource } from "./methods/resources";
import { callTool, listTools } from "./methods/tools";

type Handler = (ctx: RequestContext, params: unknown) => unknown;

const METHODS: Record<string, Handler> = {
  initialize,
  ping: () => ({}),
  "tools/list": listTools,
  "tools/call": callTool,
  "resources/list": listResources,
  "resources/read": readResource,
  "resources/templates/list": listResourceTemplates,
  "prompts/list": listPrompts,
  "prompts/get": getPrompt,
  "logging/setLevel": setLevel,
  "completion/complete": complete,
};

export function dispatch(ctx: RequestContext, method: string, params: unknown): unknown {
  const handler = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (!handler) throw new JsonRpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${method.slice(0, 100)}`);
  return handler(ctx, params);
}
