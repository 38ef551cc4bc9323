/**
 * Maps how a sandbox call ended to the audit's error classes (docs/architecture.md: Audit event; issue 5):
 * configuration = the script cannot run as written (syntax error, no default export);
 * runtime = a limit or the network stopped it (time, memory, stack, fetch refused or failed);
 * tool = the handler itself threw or returned something that is not JSON.
 */
import type { SandboxJob, SandboxResult } from "./protocol";

/** Where a call failed: loading the module, finding its export, running the handler, serialising its result. */
export interface Failure {
  stage: "load" | "export" | "call" | "result" | "engine";
  name: string;
  message: string;
}

const MAX_MESSAGE = 1000;

function describe(f: Failure): string {
  return `${f.name}: ${f.message}`.slice(0, MAX_MESSAGE);
}

/** QuickJS's own resource errors: the script hit a limit rather than failing by itself. */
function resourceLimit(f: Failure): string | null {
  if (/stack overflow|maximum call stack/i.test(f.message)) return "the script exceeded the maximum call stack depth";
  if (f.name === "InternalError" && /out of memory/i.test(f.message)) return "the script ran out of memory";
  return null;
}

export function classify(failure: Failure | null, stop: "timeout" | "memory" | "cancelled" | null, job: SandboxJob, value: unknown): SandboxResult {
  if (stop === "timeout") return { ok: false, errorClass: "runtime", error: `the script did not finish within ${job.timeoutMs} ms` };
  if (stop === "memory") return { ok: false, errorClass: "runtime", error: `the script used more than its ${job.memoryMb} MB memory limit` };
  if (stop === "cancelled") return { ok: false, errorClass: "runtime", error: "the call was cancelled" };
  if (!failure) return { ok: true, value };
  const limit = resourceLimit(failure);
  if (limit) return { ok: false, errorClass: "runtime", error: limit };
  switch (failure.stage) {
    case "load":
      return { ok: false, errorClass: "configuration", error: `the script could not be loaded: ${describe(failure)}` };
    case "export":
      return { ok: false, errorClass: "configuration", error: failure.message };
    case "result":
      return { ok: false, errorClass: "tool", error: `the handler's result is not JSON: ${describe(failure)}` };
    case "engine":
      return { ok: false, errorClass: "runtime", error: "the sandbox failed and was restarted" };
    case "call":
      if (failure.name === "FetchError") return { ok: false, errorClass: "runtime", error: failure.message.slice(0, MAX_MESSAGE) };
      return { ok: false, errorClass: "tool", error: `the handler threw ${describe(failure)}` };
  }
}
