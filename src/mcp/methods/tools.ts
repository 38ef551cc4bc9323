/**
 * tools/list and tools/call (MCP 2025-11-25 §Tools). Arguments are checked against the tool's inputSchema
 * before anything runs (bad → -32602 naming the field); the runtime's failures come back as results with
 * `isError` (§Error Handling: tool errors are results, protocol errors are JSON-RPC errors); structured
 * output is checked against outputSchema. A script that asks (`env.ask` …) is answered through Multi
 * Round-Trip Requests on 2026-07-28 (an `input_required` result; the retry runs it again with the answers)
 * and through server-to-client requests on the call's stream for 2025 sessions (src/mcp/mrtr/).
 */
import { PaginatedRequestParamsSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ValidateFunction } from "ajv";
import { JsonRpcError, RPC } from "../rpc-errors";
import type { ToolDefinition } from "../../projects/manifest";
import { errorResult } from "../../tools/result";
import type { InputAnswer, ToolCallContext, ToolOutcome } from "../../tools/types";
import { channelView, type RequestContext } from "../context";
import { askOverStream } from "../mrtr/ask-over-stream";
import { inputRequiredResult, type InputRequiredResult } from "../mrtr/input-required";
import type { StateBinding } from "../mrtr/request-state";
import { retryAnswers } from "../mrtr/retry-params";
import { callManagementTool, isManagementTool, visibleManagementTools } from "../management/registry";
import { checkScope, holds, requireMethodScope } from "../permissions";
import { notificationMessage, parseParams } from "../rpc";
import { describeSchemaErrors } from "../../tools/schema-errors";
import { checkToolOutput } from "../../tools/output-check";
import { checkParamHeaders } from "../stateless/headers";
import { LOG_LEVELS } from "../sessions";
import { toolSpans } from "../trace";

export async function listTools(ctx: RequestContext, params: unknown): Promise<{ tools: Tool[] }> {
  parseParams(PaginatedRequestParamsSchema, params);
  requireMethodScope(ctx, "project:read");
  const view = await channelView(ctx);
  const tools = view.tools.filter((t) => !t.def.scope || holds(ctx, t.def.scope)).map((t) => t.wire);
  return { tools: tools.concat(visibleManagementTools(ctx).map((m) => m.wire)) };
}

/**
 * tools/call params checked by hand (MCP 2025-11-25 §Calling Tools: `name`, optional `arguments` object,
 * optional `_meta.progressToken`): the SDK's zod schema cost ~15 % of an interactive call (measured).
 */
function callParams(params: unknown): { name: string; args: Record<string, unknown>; progressToken?: string | number } {
  const p = (params ?? {}) as Record<string, unknown>;
  if (typeof p.name !== "string") throw new JsonRpcError(RPC.INVALID_PARAMS, "Invalid params: name: expected a string");
  const args = p.arguments ?? {};
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new JsonRpcError(RPC.INVALID_PARAMS, "Invalid params: arguments: expected an object");
  }
  const token = (p._meta as { progressToken?: unknown } | undefined)?.progressToken;
  return { name: p.name, args: args as Record<string, unknown>, ...(typeof token === "string" || typeof token === "number" ? { progressToken: token } : {}) };
}

export async function callTool(ctx: RequestContext, params: unknown): Promise<CallToolResult | InputRequiredResult> {
  const p = callParams(params);
  const args = p.args;
  ctx.notes.tool = p.name;
  ctx.notes.input = args;
  requireMethodScope(ctx, "tools:call");
  if (isManagementTool(p.name)) return callManagementTool(ctx, p.name, args);
  const view = await channelView(ctx);
  const tool = view.byName.get(p.name);
  if (!tool) throw new JsonRpcError(RPC.INVALID_PARAMS, `Unknown tool: "${p.name}". Call tools/list to see the tools of this channel.`);
  // Before anything runs: an intermediary may have routed or limited on these headers (SEP-2243).
  if (ctx.stateless && tool.headerParams.length > 0) checkParamHeaders(ctx.request.headers, tool.headerParams, args);
  if (tool.def.scope && !checkScope(ctx, tool.def.scope)) {
    ctx.notes.errorClass = "auth";
    return errorResult(`Your role no longer allows the tool "${p.name}" (it needs the "${tool.def.scope}" scope). Ask an admin if you need it.`);
  }
  if (!tool.validateInput(args)) {
    throw new JsonRpcError(RPC.INVALID_PARAMS, `Invalid arguments for tool "${p.name}": ${describeSchemaErrors(tool.validateInput.errors)}`);
  }
  if (tool.def.kind !== "interactive") ctx.keepOpen();
  const binding: StateBinding = { principal: ctx.principal, projectId: ctx.project.id, channel: ctx.target.channel, stamp: view.stamp, tool: p.name, args };
  // MCP 2026-07-28 §Multi Round-Trip Requests: a retry brings inputResponses and the sealed requestState.
  let answers: Record<string, InputAnswer> = ctx.stateless ? retryAnswers(ctx.deps.tools.secrets, binding, params as Record<string, unknown>, ctx.deps.clock.now()).answers : {};
  const logs: string[] = [];
  for (let round = 1; ; round++) {
    const outcome = await ctx.deps.tools.run(ctx.project.id, tool.def, args, toolContext(ctx, tool.def.kind, p.progressToken, answers));
    logs.push(...outcome.logs);
    ctx.notes.logs = logs;
    if (!outcome.inputRequired) return checkOutput(ctx, tool.validateOutput, outcome);
    if (ctx.stateless) return inputRequiredResult(ctx, binding, answers, outcome.inputRequired);
    // A 2025 session: ask over this call's stream, then run the script again from the start with the answers.
    const asked = await askOverStream(ctx, outcome.inputRequired, round);
    if ("failed" in asked) {
      ctx.notes.errorClass = "tool";
      ctx.notes.error = asked.failed;
      return errorResult(asked.failed);
    }
    answers = { ...answers, ...asked.answers };
  }
}

function checkOutput(ctx: RequestContext, validate: ValidateFunction | null, outcome: ToolOutcome): CallToolResult {
  const checked = checkToolOutput(validate, outcome);
  if (checked.errorClass) {
    ctx.notes.errorClass = checked.errorClass;
    ctx.notes.error = checked.error;
  }
  return checked.result;
}

const NEVER_ABORTED = new AbortController().signal;

/** The runtime's view of the call: logs and progress go to the host while the call runs. */
function toolContext(ctx: RequestContext, kind: ToolDefinition["kind"], progressToken: string | number | undefined, answers: Record<string, InputAnswer>): ToolCallContext {
  // MCP 2026-07-28 §Logging: no `notifications/message` for a request that set no log level (null).
  const minLevel = ctx.logLevel === null ? Infinity : LOG_LEVELS.indexOf(ctx.logLevel);
  return {
    projectId: ctx.project.id,
    // Secret values are per channel (issue 11 #1): a draft call must never load production values.
    channel: ctx.target.channel,
    // An interactive call answers synchronously: it needs no cancellation, and building the combined
    // signal was a measurable share of such a call.
    signal: kind === "interactive" ? NEVER_ABORTED : ctx.signal,
    answers,
    clientCapabilities: ctx.clientCapabilities,
    // A plain property, not a conditional spread: an object literal with a spread is built slowly on every call.
    span: ctx.span && ctx.deps.telemetry ? toolSpans(ctx.deps.telemetry, ctx.span) : undefined,
    log(level, message) {
      if (LOG_LEVELS.indexOf(level) >= minLevel) {
        ctx.notify(notificationMessage("notifications/message", { level, logger: ctx.notes.tool, data: message }));
      }
    },
    progress(progress, total, message) {
      if (progressToken === undefined) return;
      ctx.notify(notificationMessage("notifications/progress", { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) }));
    },
  };
}
