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

/** The client requests a script may make (MCP 2026-07-28 §Multi Round-Trip Requests, "InputRequests"). */
export type InputMethod = "elicitation/create" | "sampling/createMessage" | "roots/list";

/** One question a script asked: a client request in wire form. */
export interface InputRequest {
  method: InputMethod;
  params: Record<string, unknown>;
}

/**
 * One answer the client gave: its result for the question under that key, and the digest of the question
 * it answered (`questionDigest`). Without a digest (answered before Portico asked) it answers whatever is
 * asked under its key; with one, only that very question — a script whose retry asks something else under
 * the same key asks again rather than reading an answer to another question.
 */
export interface InputAnswer {
  response: unknown;
  question?: string;
}

/** Starts a child span (`startedAt`: a `performance.now()` value when it began earlier); `end` may add attributes. */
export type SpanStarter = (name: string, attributes?: Record<string, string | number | boolean>, startedAt?: number) => {
  end(errorType?: string | null, attributes?: Record<string, string | number | boolean>): void;
};

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
  /** Every answer the client has given so far, by question key (script tools; none on a first call). */
  answers?: Record<string, InputAnswer>;
  /** What the client declared it can do (elicitation, sampling, roots …): a script reads it as `env.client.capabilities`. */
  clientCapabilities?: Record<string, unknown>;
  /**
   * Starts a child span of the request's trace (sandbox run, outbound fetch; src/mcp/trace.ts); absent when
   * telemetry is off. Attributes are ids, names, statuses only: never inputs, outputs or secrets.
   */
  span?: SpanStarter;
}

export interface ToolOutcome {
  result: CallToolResult;
  errorClass?: ErrorClass;
  /** A short, secret-free description of the failure, for the audit row. */
  error?: string;
  /** Handler log lines (secrets redacted), for the audit row. */
  logs: string[];
  /**
   * A script stopped at questions it has no answer for yet: the MCP layer asks the client and runs the
   * script again from the start with the answers (`result` is then an empty placeholder).
   */
  inputRequired?: Record<string, InputRequest>;
}

export interface ToolRuntime {
  run(projectId: string, tool: ToolDefinition, input: Record<string, unknown>, ctx: ToolCallContext): Promise<ToolOutcome>;
}
