/**
 * Messages between the host (`pool.ts`, main thread) and a sandbox worker (`worker.ts`). Plain data only:
 * they cross the thread boundary by structured clone.
 */
import type { OutboundProxy } from "../../lib/outbound-proxy";
import type { ErrorClass, InputAnswer, InputRequest } from "../types";

/** Everything one script call needs; secrets are already decrypted. */
export interface SandboxJob {
  script: string;
  input: Record<string, unknown>;
  secrets: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  allowedDomains: string[];
  /** Test-only (`config.allowLoopbackFetch`): fetch may reach 127.0.0.1/::1, also over http. */
  allowLoopbackFetch: boolean;
  /** Portico's own origin: never fetched. */
  blockedOrigins: string[];
  /** The operator's outbound proxy (issue 12); may carry its credentials, so never logged. */
  proxy?: OutboundProxy;
  /** The client's answers so far, by question key (`env.ask` and friends read them; see ask-bridge.ts). */
  answers?: Record<string, InputAnswer>;
  /** The client's declared capabilities, shown to the script as `env.client.capabilities`. */
  clientCapabilities?: Record<string, unknown>;
  /** Telemetry is on for this call: report each fetch back (a `fetched` message) for its span. */
  traced?: boolean;
}

/** One `env.fetch` as a span sees it (issue 18): method, host, status or failure, duration; nothing of the URL's path, headers or body. */
export interface FetchTrace {
  method: string;
  host: string;
  port: number | null;
  status: number | null;
  error: string | null;
  ms: number;
}

export type LogLevel = "debug" | "info" | "notice" | "warning" | "error";

export type SandboxResult =
  | { ok: true; /** The handler's return value, JSON-serialisable. */ value: unknown }
  /** The script stopped at questions without answers: the MCP layer asks them, then runs it again from the start. */
  | { ok: true; inputRequired: Record<string, InputRequest> }
  | { ok: false; errorClass: ErrorClass; error: string };

export type HostToWorker = { type: "run"; id: number; job: SandboxJob } | { type: "cancel"; id: number };

export type WorkerToHost =
  | { type: "ready" }
  | { type: "failed"; error: string }
  | { type: "log"; id: number; level: LogLevel; message: string }
  | { type: "progress"; id: number; progress: number; total?: number; message?: string }
  /** Sent only for a traced job (`SandboxJob.traced`): one outbound fetch, for its span. */
  | { type: "fetched"; id: number; fetch: FetchTrace }
  /** `recycle`: the worker's heap grew or its state is suspect — terminate it and start a fresh one. */
  | { type: "done"; id: number; result: SandboxResult; recycle: boolean }
  /** Cleaning up after a call failed: replace this worker. */
  | { type: "retire" };
