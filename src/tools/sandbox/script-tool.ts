/**
 * Script tools (docs/architecture.md: Tool kinds): the stored handler runs in a fresh QuickJS context in the sandbox
 * pool; its return value becomes the MCP result, its failures a classified `isError` result, and a
 * question it has no answer for yet (`env.ask` …) an outcome with `inputRequired`.
 */
import type { OutboundProxy } from "../../lib/outbound-proxy";
import type { ToolDefinition } from "../../projects/manifest";
import { errorResult, handlerResult } from "../result";
import type { ToolCallContext, ToolOutcome } from "../types";
import type { SandboxPool } from "./pool";

type ScriptTool = Extract<ToolDefinition, { kind: "script" }>;

export interface ScriptToolOptions {
  allowLoopbackFetch: boolean;
  /** Portico's own origin, never fetched by a script. */
  blockedOrigins: string[];
  /** The operator's outbound proxy (issue 12). */
  proxy?: OutboundProxy;
}

export async function runScriptTool(
  pool: SandboxPool,
  tool: ScriptTool,
  input: Record<string, unknown>,
  secrets: Record<string, string>,
  ctx: ToolCallContext,
  opts: ScriptToolOptions,
): Promise<Omit<ToolOutcome, "logs">> {
  const span = ctx.span?.("portico.sandbox_run", { "portico.sandbox.timeout_ms": tool.timeoutMs, "portico.sandbox.memory_mb": tool.memoryMb });
  const outcome = await pool.run(
    {
      script: tool.script,
      input,
      secrets,
      timeoutMs: tool.timeoutMs,
      memoryMb: tool.memoryMb,
      allowedDomains: tool.allowedDomains,
      allowLoopbackFetch: opts.allowLoopbackFetch,
      blockedOrigins: opts.blockedOrigins,
      proxy: opts.proxy,
      answers: ctx.answers ?? {},
      clientCapabilities: ctx.clientCapabilities ?? {},
      traced: ctx.span !== undefined,
    },
    { projectId: ctx.projectId, log: ctx.log, progress: ctx.progress, signal: ctx.signal, span: ctx.span },
  );
  span?.end(outcome.ok ? null : (outcome.errorClass ?? "tool"));
  if (!outcome.ok) return { result: errorResult(outcome.error), errorClass: outcome.errorClass, error: outcome.error };
  // The script stopped at a question: the MCP layer asks the client and runs it again with the answer.
  if ("inputRequired" in outcome) return { result: { content: [] }, inputRequired: outcome.inputRequired };
  const mapped = handlerResult(outcome.value);
  if ("error" in mapped) return { result: errorResult(mapped.error), errorClass: "tool", error: mapped.error };
  return { result: mapped.result };
}
