/**
 * A test run (issue 16 #2, "Test a tool without leaving the page"): a developer runs a DRAFT tool once with
 * sample input and sees its result, without an MCP host. It goes through the runtime MCP calls use
 * (`deps.tools.run`, src/tools/runtime.ts) on the draft channel, so it loads only the tool's draft secret
 * values (docs/architecture.md: Secrets — a test run never touches production), and the same output rule
 * (src/tools/output-check.ts). Arguments are checked against the tool's inputSchema first, as `tools/call`
 * does. Every run that ran is recorded in the project's audit log like an MCP call, marked
 * `source = test-run` (db/SCHEMA.md: audit_events).
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { auditPayload } from "../audit/payload";
import type { Deps } from "../deps";
import type { ToolKind } from "../domain";
import { StorageUnavailableError, ValidationError } from "../errors";
import { createAjv, getDraftTool } from "../projects/draft";
import type { ToolDefinition } from "../projects/manifest";
import { checkToolOutput, type CheckedOutcome } from "../tools/output-check";
import { errorResult } from "../tools/result";
import { describeSchemaErrors } from "../tools/schema-errors";
import type { ErrorClass, ToolCallContext } from "../tools/types";
import type { ProjectAccess } from "./access";
import { CAN, projectOperation, READ_ONLY } from "./operation";

/** What a test run shows: the tool's result as a host would receive it, and what the audit row holds. */
export interface TestRunResult {
  tool: string;
  kind: ToolKind;
  arguments: Record<string, unknown>;
  /** `content`, `structuredContent` and `isError`, exactly as `tools/call` would answer on the draft URL. */
  result: CallToolResult;
  errorClass: ErrorClass | null;
  /** Handler log lines (secret values redacted). */
  logs: string[];
  durationMs: number;
}

export const TestRunInputSchema = z.object({
  name: z.string().min(1, "name the tool").max(64).describe("The draft tool to run"),
  arguments: z.record(z.string(), z.unknown()).default({}).describe("Sample input, checked against the tool's inputSchema"),
});

/** A script's questions (`env.ask` …) need a host to answer them; the page cannot. */
const ASKED =
  "The tool asked a question (env.ask, env.confirm, env.sample or env.roots), which only an MCP host can answer: try it from a host connected to the draft URL.";

const NEVER_ABORTED = new AbortController().signal;

function checkArguments(def: ToolDefinition, args: Record<string, unknown>): void {
  const validate = createAjv().compile(def.inputSchema);
  if (validate(args)) return;
  const message = `do not match the tool's inputSchema: ${describeSchemaErrors(validate.errors)}`;
  throw new ValidationError(`arguments: ${message}`, [{ field: "arguments", message }]);
}

/** Runs the draft tool on the draft channel; a tool's own failure is a result with `isError`, never a throw. */
async function runOnDraft(deps: Deps, access: ProjectAccess, def: ToolDefinition, args: Record<string, unknown>): Promise<CheckedOutcome & { logs: string[] }> {
  const ctx: ToolCallContext = {
    projectId: access.project.id,
    // Draft secret values only (issue 11 #1): a developer's test never reads or uses a production value.
    channel: "draft",
    // The runtime's own time limits end the run; nobody on the page can cancel it.
    signal: NEVER_ABORTED,
    answers: {},
    clientCapabilities: {},
    log() {},
    progress() {},
  };
  const outcome = await deps.tools.run(access.project.id, def, args, ctx);
  if (outcome.inputRequired) return { result: errorResult(ASKED), errorClass: "tool", error: "asked a question a test run cannot answer", logs: outcome.logs };
  const validate = def.outputSchema ? createAjv().compile(def.outputSchema) : null;
  return { ...checkToolOutput(validate, outcome), logs: outcome.logs };
}

export const testRunTool = projectOperation({
  name: "tools.test-run",
  summary: "Run a draft tool once with sample input, on the draft channel with draft secret values only; recorded in the project audit log as a test run",
  what: "test draft tools",
  input: TestRunInputSchema,
  permission: CAN.workOnDraft,
  // Changes nothing in the project: the run itself is recorded in the project audit log (source test-run).
  audit: READ_ONLY,
  run: async (deps, access, i): Promise<TestRunResult> => runDraftAudited(deps, access, await getDraftTool(deps, access.project.id, i.name), i.arguments, "test-run"),
});

/**
 * Runs a draft tool with `args` (checked against its inputSchema first) and records the run in the project's
 * audit log as `source` — a test run from the tool's page, or a replay of an audited call (src/services/audit-replay.ts).
 */
export async function runDraftAudited(deps: Deps, access: ProjectAccess, def: ToolDefinition, args: Record<string, unknown>, source: "test-run" | "replay"): Promise<TestRunResult> {
  checkArguments(def, args);
  const started = performance.now();
  const run = await runOnDraft(deps, access, def, args);
  const durationMs = Math.round(performance.now() - started);
  const via = access.via;
  const store = access.project.storePayloads;
  // Durable audit: the result is shown once its row is committed (src/audit/writer.ts); not at all when
  // storage keeps failing — a run that could not be recorded is not reported as done.
  const committed = await deps.audit.record({
    projectId: access.project.id,
    time: deps.clock.now(),
    channel: "draft",
    principal: via.kind === "apikey" ? "apikey" : "user",
    userId: access.user.id,
    grantId: via.kind === "grant" ? via.grantId : null,
    clientId: null,
    apiKeyId: via.kind === "apikey" ? via.apiKeyId : null,
    sessionId: null,
    method: "tools/call",
    tool: def.name,
    version: null,
    input: auditPayload(args, store),
    output: auditPayload(run.result, store),
    status: run.result.isError ? "error" : "ok",
    errorClass: run.errorClass ?? null,
    error: run.error?.slice(0, 2000) ?? null,
    logs: run.logs.length ? auditPayload(run.logs, store) : null,
    durationMs,
    host: null,
    ip: null,
    protocolVersion: null,
    traceparent: null,
    source,
  });
  if (committed === false) throw new StorageUnavailableError("The run could not be recorded in the audit log (storage is failing). Try again shortly.");
  return { tool: def.name, kind: def.kind, arguments: args, result: run.result, errorClass: run.errorClass ?? null, logs: run.logs, durationMs };
}
