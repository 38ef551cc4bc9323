/**
 * Replay (issue 18): re-run an audited `tools/call` — from production or the draft, by a host or a test run —
 * against the CURRENT DRAFT of the same tool, and show both results side by side. The way to debug a tool
 * change: "this call failed in production; does my draft fix it?". It runs exactly like a test run
 * (src/services/tool-test-run.ts): draft channel, draft secret values only, never production; and it is
 * recorded in the audit log as `source = replay`. Only what the audit row holds can be replayed: a project that
 * stores no payloads, or an input cut at 64 KB, has nothing faithful to re-run.
 */
import { z } from "zod";
import { PAYLOAD_CAP_BYTES, UNSERIALIZABLE_MARKER } from "../audit/payload";
import { NotFoundError, ValidationError } from "../errors";
import { getDraftTool } from "../projects/draft";
import { getAuditEvent, READ_AUDIT } from "./audit";
import type { NamedAuditEvent } from "./audit";
import { CAN, projectOperation, READ_ONLY } from "./operation";
import { runDraftAudited, type TestRunResult } from "./tool-test-run";

export interface ReplayResult {
  /** The audited call as recorded (output parsed back from its stored JSON when it is JSON). */
  original: {
    id: number;
    time: number;
    channel: string;
    version: number | null;
    status: string;
    errorClass: string | null;
    error: string | null;
    durationMs: number;
    output: unknown;
  };
  /** The same input run now on the draft tool. */
  replay: TestRunResult;
}

const refuse = (message: string) => new ValidationError(`id: ${message}`, [{ field: "id", message }]);

/** The audited call's arguments, or why they cannot be replayed faithfully. */
function recordedArguments(e: NamedAuditEvent): Record<string, unknown> {
  if (e.method !== "tools/call" || !e.tool) throw refuse("only tool calls can be replayed");
  if (e.input === null) throw refuse("this call's input was not stored (the project stores no payloads, or it was erased), so it cannot be replayed");
  if (e.input === UNSERIALIZABLE_MARKER || /…\[truncated \d+ bytes\]$/.test(e.input)) {
    throw refuse(`this call's input was cut at ${PAYLOAD_CAP_BYTES / 1024} KB when it was stored, so replaying it would not be the same call`);
  }
  let args: unknown;
  try {
    args = JSON.parse(e.input);
  } catch {
    throw refuse("this call's stored input is not JSON, so it cannot be replayed");
  }
  if (!args || typeof args !== "object" || Array.isArray(args)) throw refuse("this call's stored input is not a JSON object of arguments");
  return args as Record<string, unknown>;
}

function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const replayAuditedCall = projectOperation({
  name: "audit.replay",
  summary: "Re-run an audited tool call's input against the current draft of that tool and return both results; runs on the draft channel with draft secret values only, recorded as a replay",
  what: "replay audited calls against the draft",
  input: z.object({ id: z.number().int().describe("The audit event id of a tools/call") }),
  // Reading the audited call (developer, `settings` for keys) and running the draft (`draft`, `project:write`).
  permission: { role: CAN.workOnDraft.role, scopes: [...new Set([...READ_AUDIT.scopes, ...CAN.workOnDraft.scopes])] },
  // The replay itself is recorded in the project audit log (source replay); nothing in the project changes.
  audit: READ_ONLY,
  run: async (deps, access, { id }): Promise<ReplayResult> => {
    const e = await getAuditEvent.run(deps, access, { id });
    const args = recordedArguments(e);
    let def;
    try {
      def = await getDraftTool(deps, access.project.id, e.tool!);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`The draft has no tool "${e.tool}" any more, so this call cannot be replayed against it.`);
      throw err;
    }
    const replay = await runDraftAudited(deps, access, def, args, "replay");
    return {
      original: { id: e.id, time: e.time, channel: e.channel, version: e.version, status: e.status, errorClass: e.errorClass, error: e.error, durationMs: e.durationMs, output: parsed(e.output) },
      replay,
    };
  },
});
