/** prompts/list and prompts/get (MCP 2025-11-25 §Prompts): the channel's templates with `{{argument}}` filled in. */
import { GetPromptRequestParamsSchema, PaginatedRequestParamsSchema, type GetPromptResult, type Prompt } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcError, RPC } from "../rpc-errors";
import { channelView, type RequestContext } from "../context";
import { requireMethodScope } from "../permissions";
import { parseParams } from "../rpc";

export async function listPrompts(ctx: RequestContext, params: unknown): Promise<{ prompts: Prompt[] }> {
  parseParams(PaginatedRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  const prompts = [...(await channelView(ctx)).prompts.values()].map((p) => ({
    name: p.name,
    ...(p.title ? { title: p.title } : {}),
    description: p.description,
    arguments: p.arguments,
  }));
  return { prompts };
}

export async function getPrompt(ctx: RequestContext, params: unknown): Promise<GetPromptResult> {
  const p = parseParams(GetPromptRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  const prompt = (await channelView(ctx)).prompts.get(p.name);
  if (!prompt) throw new JsonRpcError(RPC.INVALID_PARAMS, `Unknown prompt: "${p.name}".`);
  const args = p.arguments ?? {};
  const missing = prompt.arguments.filter((a) => a.required && !args[a.name]).map((a) => a.name);
  if (missing.length) throw new JsonRpcError(RPC.INVALID_PARAMS, `Missing required argument(s) for prompt "${p.name}": ${missing.join(", ")}`);
  const text = prompt.template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => args[name] ?? "");
  return { description: prompt.description, messages: [{ role: "user", content: { type: "text", text } }] };
}
