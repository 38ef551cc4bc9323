/**
 * Shared set-up for tool runtime tests: a real app (fresh SQLite data dir, real Deps with the real tool
 * runtime), the seeded world's project (test/fixtures/world.ts), and `call()` which runs a tool definition
 * the way the MCP layer does and records the log and progress notifications it would send to the host.
 */
import { makeApp, type TestApp } from "../helpers";
import type { ConfigInput } from "../../src/config";
import { ToolDefinitionSchema, type ToolDefinitionInput } from "../../src/projects/manifest";
import type { InputAnswer, ToolCallContext, ToolOutcome } from "../../src/tools/types";
import type { Channel } from "../../src/db/schema";
import { seedWorld } from "../fixtures/world";

export interface Notified {
  logs: Array<{ level: string; message: string }>;
  progress: Array<{ progress: number; total?: number; message?: string }>;
}

export interface ToolsHarness extends TestApp {
  projectId: string;
  /** Runs as a call on `channel` (production unless said: the store's values in these tests are production ones). */
  call(def: ToolDefinitionInput, input?: Record<string, unknown>, signal?: AbortSignal, channel?: Channel): Promise<ToolOutcome & { notified: Notified }>;
  /** Runs on production with the client's answers so far and its declared capabilities (script tools that ask). */
  callWith(def: ToolDefinitionInput, input: Record<string, unknown>, answers: Record<string, InputAnswer>, clientCapabilities?: Record<string, unknown>): Promise<ToolOutcome & { notified: Notified }>;
}

export async function toolsHarness(overrides: ConfigInput = {}): Promise<ToolsHarness> {
  const t = await makeApp({ allowLoopbackFetch: true, ...overrides });
  const { project } = await seedWorld(t.deps, { sessions: false });
  const run = async (def: ToolDefinitionInput, input: Record<string, unknown>, signal: AbortSignal, channel: Channel, extra: Pick<ToolCallContext, "answers" | "clientCapabilities">) => {
    const notified: Notified = { logs: [], progress: [] };
    const outcome = await t.deps.tools.run(project.id, ToolDefinitionSchema.parse(def), input, {
      projectId: project.id,
      channel,
      log: (level, message) => notified.logs.push({ level, message }),
      progress: (progress, total, message) => notified.progress.push({ progress, total, message }),
      signal,
      ...extra,
    });
    return { ...outcome, notified };
  };
  return {
    ...t,
    projectId: project.id,
    call: (def, input = {}, signal = new AbortController().signal, channel = "production") => run(def, input, signal, channel, {}),
    callWith: (def, input, answers, clientCapabilities = {}) => run(def, input, new AbortController().signal, "production", { answers, clientCapabilities }),
  };
}

/** A script tool definition with defaults suitable for tests. */
export function script(source: string, extra: Partial<Extract<ToolDefinitionInput, { kind: "script" }>> = {}): ToolDefinitionInput {
  return { name: "t", kind: "script", script: source, ...extra };
}

/** The text of the first content block. */
export function text(outcome: ToolOutcome): string {
  const first = outcome.result.content[0];
  return first && first.type === "text" ? first.text : "";
}
