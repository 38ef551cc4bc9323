/**
 * resources/list, resources/read, resources/templates/list (MCP 2025-11-25 §Resources). A channel's
 * resources are its interactive tools' MCP Apps UIs (`ui://org/project/tool`, mime
 * `text/html;profile=mcp-app`), built by the tools domain from the definitions the channel serves.
 */
import { PaginatedRequestParamsSchema, ReadResourceRequestParamsSchema, type ReadResourceResult, type Resource } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcError, RPC } from "../rpc-errors";
import type { ToolDefinition } from "../../projects/manifest";
import { uiResource, uiResourceListing, uiResourceUri } from "../../tools/interactive";
import { uiPath } from "../channel";
import { channelView, type RequestContext } from "../context";
import { holds, requireMethodScope } from "../permissions";
import { parseParams } from "../rpc";

type Interactive = Extract<ToolDefinition, { kind: "interactive" }>;

async function interactiveTools(ctx: RequestContext): Promise<Interactive[]> {
  return (await channelView(ctx))
    .tools.map((t) => t.def)
    .filter((d): d is Interactive => d.kind === "interactive" && (!d.scope || holds(ctx, d.scope)));
}

export async function listResources(ctx: RequestContext, params: unknown): Promise<{ resources: Resource[] }> {
  parseParams(PaginatedRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  return { resources: (await interactiveTools(ctx)).map((def) => uiResourceListing(uiPath(ctx.project), def)) };
}

export async function readResource(ctx: RequestContext, params: unknown): Promise<ReadResourceResult> {
  const p = parseParams(ReadResourceRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  const path = uiPath(ctx.project);
  const def = (await interactiveTools(ctx)).find((d) => uiResourceUri(path, d.name) === p.uri);
  // MCP 2026-07-28 (SEP-2164) moved "resource not found" to -32602; 2025 clients keep -32002.
  if (!def) throw new JsonRpcError(ctx.stateless ? RPC.INVALID_PARAMS : RPC.RESOURCE_NOT_FOUND, `Resource not found: ${p.uri}`, { uri: p.uri });
  return { contents: [uiResource(path, def)] };
}

export function listResourceTemplates(ctx: RequestContext, params: unknown) {
  parseParams(PaginatedRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  return { resourceTemplates: [] };
}
