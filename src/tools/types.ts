/**
 * The contract between the MCP face and the tool runtimes. The MCP layer validates arguments against
 * `inputSchema` first, then calls `ToolRuntime.run`; the runtime never throws for a tool's own failure —
 * it returns an outcome with `isError` and an `errorClass` for the audit row.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Channel } from "../db/schema";
import type { ToolDefinition } from "../projects/manifest";

/** configuration: bad code, missing secret · runtime: timeout, memory, network · tool: the handler threw. */
export type ErrorClass = "configuration" | "runtime" | "tool";

export interface ToolCallContext {
  projectId: string;
  /** The channel the call came in on: only that channel's secret values are loaded (issue 11 #1). */
  channel: Channel;
  /** `env.log()` / `console.log` from a handler: sent to the host as notifications/message and audited. */
  log(level: "debug" | "info" | "notice" | "warning" | "error", message: string): void;
  /** `env.progress()` from a handler: sent as notifications/progress when the caller asked for it. */
  progress(progress: number, total?: number, message?: string): void;
  /** Aborted when the client cancels or disconnects. */
  signal: AbortSignal;
}

export interface ToolOutcome {
  result: CallToolResult;
  errorClass?: ErrorClass;
  /** A short, secret-free description of the failure, for the audit row. */
  error?: string;
  /** Handler log lines (secrets redacted), for the audit row. */
  logs: string[];
}

export interface ToolRuntime {
  run(projectId: string, tool: ToolDefinition, input: Record<string, unknown>, ctx: ToolCallContext): Promise<ToolOutcome>;
}
