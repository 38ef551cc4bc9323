/**
 * The tool runtime the MCP layer calls (`ToolRuntime` in types.ts): loads the tool's secrets of the
 * CALL's channel only (issue 11 #1: a draft call never sees a production value), dispatches
 * by kind, and makes sure no known secret value leaves in a result, a log line or an error text
 * (docs/architecture.md: Secrets — "redacted from tool output before it is audited").
 */
import { outboundProxy, type Config } from "../config";
import type { Db } from "../db/client";
import type { Channel } from "../db/schema";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import type { ToolDefinition } from "../projects/manifest";
import { runHttpTool } from "./http-tool";
import { runInteractiveTool } from "./interactive";
import { errorResult } from "./result";
import { SandboxPool } from "./sandbox/pool";
import { runScriptTool } from "./sandbox/script-tool";
import { redactDeep, redactSecrets, SecretKeyMismatchError, SecretStore } from "./secrets";
import type { ToolCallContext, ToolOutcome, ToolRuntime } from "./types";

export interface ToolService extends ToolRuntime {
  /** Encrypted per-tool secrets (write-only for everyone but the runtime). */
  secrets: SecretStore;
  /** Stops the sandbox workers. */
  close(): Promise<void>;
}

type Outcome = Omit<ToolOutcome, "logs">;

const configurationError = (error: string): Outcome => ({ result: errorResult(error), errorClass: "configuration", error });

/** Who can fix a missing value differs per channel (docs/architecture.md: Secrets), so the message says it. */
const WHO_SETS: Record<Channel, string> = {
  draft: "a developer can add a draft value in the tool's settings",
  production: "an admin must set the production value in the tool's settings",
};

function missingError(names: string[], channel: Channel): Outcome {
  const plural = names.length > 1;
  return configurationError(`secret${plural ? "s" : ""} ${names.join(", ")} ${plural ? "are" : "is"} not set for the ${channel} channel: ${WHO_SETS[channel]}`);
}

/** Builds the runtime. Cheap: the sandbox workers and the wasm module start on the first script call. */
export function createToolRuntime(deps: { config: Config; db: Db; log: Logger; clock: Clock }): ToolService {
  const secrets = new SecretStore(deps.db, deps.config, deps.clock);
  // The key file is created on first start (docs/architecture.md: Operations), not on the first secret saved.
  secrets.keys();
  // Issue 11 #19: each project gets a bounded share of the pool (config: sandbox-per-project, sandbox-queue-per-project).
  const pool = new SandboxPool(deps.log, undefined, { perProject: deps.config.sandboxPerProject, queuePerProject: deps.config.sandboxQueuePerProject });
  // Read per call: a server started without a public URL fills it in after binding its port.
  const fetchPolicy = () => ({ allowLoopbackFetch: deps.config.allowLoopbackFetch, blockedOrigins: [deps.config.publicUrl], proxy: outboundProxy(deps.config) });

  /** The tool's declared secrets on the call's channel, or the configuration error that keeps it from running. */
  async function declaredSecrets(projectId: string, tool: ToolDefinition, channel: Channel): Promise<{ values: Record<string, string> } | { failed: Outcome }> {
    if (tool.secrets.length === 0) return { values: {} };
    let stored: Record<string, string>;
    try {
      stored = await secrets.loadSecrets(projectId, tool.name, channel);
    } catch (err) {
      if (err instanceof SecretKeyMismatchError) return { failed: configurationError(err.message) };
      throw err;
    }
    const missing = tool.secrets.filter((n) => !(n in stored));
    // A missing draft value is never filled from production (issue 11 #1): the call fails, naming it.
    if (missing.length > 0) return { failed: missingError(missing, channel) };
    return { values: Object.fromEntries(tool.secrets.map((n) => [n, stored[n]!])) };
  }

  async function dispatch(projectId: string, tool: ToolDefinition, input: Record<string, unknown>, ctx: ToolCallContext, values: string[]): Promise<Outcome> {
    if (tool.kind === "interactive") return { result: runInteractiveTool(tool, input) };
    const loaded = await declaredSecrets(projectId, tool, ctx.channel);
    if ("failed" in loaded) return loaded.failed;
    const toolSecrets = loaded.values;
    values.push(...Object.values(toolSecrets));
    if (tool.kind === "script") return runScriptTool(pool, tool, input, toolSecrets, ctx, fetchPolicy());
    return runHttpTool(tool, input, toolSecrets, ctx, fetchPolicy());
  }

  return {
    secrets,
    async run(projectId, tool, input, ctx) {
      const values: string[] = [];
      const logs: string[] = [];
      const guarded: ToolCallContext = {
        projectId,
        channel: ctx.channel,
        signal: ctx.signal,
        answers: ctx.answers,
        clientCapabilities: ctx.clientCapabilities,
        span: ctx.span,
        log(level, message) {
          const clean = redactSecrets(message, values);
          logs.push(`${level}: ${clean}`);
          ctx.log(level, clean);
        },
        progress(progress, total, message) {
          ctx.progress(progress, total, message === undefined ? undefined : redactSecrets(message, values));
        },
      };
      try {
        const out = await dispatch(projectId, tool, input, guarded, values);
        // Questions are script output like any other: a secret value never reaches the client or the audit row in one.
        return {
          ...out,
          result: redactDeep(out.result, values),
          ...(out.error ? { error: redactSecrets(out.error, values) } : {}),
          ...(out.inputRequired ? { inputRequired: redactDeep(out.inputRequired, values) } : {}),
          logs,
        };
      } catch (err) {
        deps.log.error({ err, projectId, tool: tool.name }, "tool runtime failed");
        const error = "internal error while running the tool";
        return { result: errorResult(error), errorClass: "runtime", error, logs };
      }
    },
    close: () => pool.close(),
  };
}
