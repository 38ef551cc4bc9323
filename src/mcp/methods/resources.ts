/**
 * resources/list, resources/read, resources/templates/list (MCP 2025-11-25 §Resources). A channel's
 * resources are its interactive tools' MCP Apps UIs (`ui://…`, mime `text/html;profile=mcp-app`),
 * built by the tools domain from the same definitions the channel serves.
 */
import { PaginatedRequestParamsSchema, ReadResourceRequestParamsSchema, type ReadResourceResult, type Resource } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcError, RPC } from "../../errors";
import { channelView, type RequestContext } from "../context";
import { holds, requireMethodScope } from "../permissions";
import { parseParams } from "../rpc";

function uiResources(ctx: RequestContext) {
  const ui = ctx.service.ui;
  return channelView(ctx)
    .tools.filter((t) => t.def.kind === "interactive" && (!t.def.scope || holds(ctx, t.def.scope)))
    .map((t) => ({ uri: ui.resourceUri(ctx.project, t.def), tool: t.def }));
}

export function listResources(ctx: RequestContext, params: unknown): { resources: Resource[] } {
  parseParams(PaginatedRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  const resources = uiResources(ctx).map(({ uri, tool }) => ({
    uri,
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    description: `User interface of the ${tool.name} tool`,
    mimeType: ctx.service.ui.mimeType,
  }));
  return { resources };
}

export function readResource(ctx: RequestContext, params: unknown): ReadResourceResult {
  const p = parseParams(ReadResourceRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  const found = uiResources(ctx).find((r) => r.uri === p.uri);
  if (!found) throw new JsonRpcError(RPC.RESOURCE_NOT_FOUND, `Resource not found: ${p.uri}`, { uri: p.uri });
  return { contents: [ctx.service.ui.contents(ctx.project, found.tool, found.uri)] };
}

export function listResourceTemplates(ctx: RequestContext, params: unknown) {
  parseParams(PaginatedRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  return { resourceTemplates: [] };
}
