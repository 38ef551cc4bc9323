/**
 * MCP 2026-07-28 §Multi Round-Trip Requests for script tools: the `input_required` result, the retry with
 * `inputResponses` + the sealed `requestState`, and what a retry may not do. Real deps, real sandbox, real
 * sealing; the request context is the stateless one the 2026 transport builds (stateless-context.ts).
 */
import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { JsonRpcError, RPC } from "../../../src/mcp/rpc-errors";
import { createDraftTool, updateDraftTool } from "../../../src/projects/draft";
import { publish } from "../../../src/projects/publish";
import { mcpFixture, type McpFixture } from "../fixture";
import { accept, GREET, TWO_STEPS } from "./fixtures";
import { ANONYMOUS, API_KEY, OTHER_KEY, statelessCaller, type StatelessCaller } from "./stateless-context";

let f: McpFixture;
let c: StatelessCaller;
afterEach(async () => {
  setSystemTime();
  c?.close();
  await f?.stop();
});

async function setup() {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, GREET);
  await createDraftTool(f.deps, f.project.id, TWO_STEPS);
  c = statelessCaller(f.deps, f.org.slug, "shop");
}

/** The JSON-RPC error a call throws (code and message). */
async function rejection(p: Promise<unknown>): Promise<{ code: number; message: string; data?: unknown }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof JsonRpcError) return { code: err.rpcCode, message: err.message, data: err.data };
    throw err;
  }
  throw new Error("expected a JSON-RPC error");
}

describe("tools that ask, on 2026-07-28", () => {
  test("a first call answers input_required with the question and a requestState; the retry completes", async () => {
    await setup();
    const first = await c.call({ name: "greet", arguments: {} });
    expect(first.resultType).toBe("input_required");
    expect(first.inputRequests).toEqual({
      user_name: { method: "elicitation/create", params: { message: "What is your name?", requestedSchema: expect.any(Object) } },
    });
    expect(typeof first.requestState).toBe("string");
    expect(first.requestState as string).toStartWith("pmr1:");
    const done = await c.call({ name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "Alice" }) }, requestState: first.requestState });
    expect(done.resultType).toBeUndefined();
    expect(done.content).toEqual([{ type: "text", text: "Hello, Alice!" }]);
  });

  test("several rounds: each retry carries the earlier answers in a new state", async () => {
    await setup();
    const r1 = await c.call({ name: "two_steps", arguments: {} });
    expect(Object.keys(r1.inputRequests as object)).toEqual(["step1"]);
    const r2 = await c.call({ name: "two_steps", arguments: {}, inputResponses: { step1: accept({ name: "Alice" }) }, requestState: r1.requestState });
    expect(Object.keys(r2.inputRequests as object)).toEqual(["step2"]);
    expect(r2.requestState).not.toBe(r1.requestState);
    // Only the keys the last round asked are taken: a re-sent step1 with another name is ignored.
    const r3 = await c.call({
      name: "two_steps", arguments: {},
      inputResponses: { step2: accept({ color: "blue" }), step1: accept({ name: "Mallory" }) },
      requestState: r2.requestState,
    });
    expect(r3.content).toEqual([{ type: "text", text: "Alice likes blue" }]);
  });

  test("missing or malformed responses: asked again, or -32602 for a protocol error", async () => {
    await setup();
    const wrongKey = await c.call({ name: "greet", arguments: {}, inputResponses: { wrong_key: accept({ data: "x" }) } });
    expect(wrongKey.resultType).toBe("input_required");
    const first = await c.call({ name: "greet", arguments: {} });
    const extra = await c.call({ name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "Al" }), unknown_extra_key: accept({}) }, requestState: first.requestState });
    expect(extra.content).toEqual([{ type: "text", text: "Hello, Al!" }]);
    for (const inputResponses of [null, { user_name: 12345 }, "x"]) {
      const err = await rejection(c.call({ name: "greet", arguments: {}, inputResponses }));
      expect(err.code).toBe(RPC.INVALID_PARAMS);
      expect(err.message).toStartWith("Invalid params: inputResponses");
    }
  });

  test("attack: answers sent without a requestState are ignored — a predictable key cannot answer a question never shown", async () => {
    await setup();
    const skipped = await c.call({ name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "Mallory" }) } });
    expect(skipped.resultType).toBe("input_required");
    expect(Object.keys(skipped.inputRequests as object)).toEqual(["user_name"]);
  });

  test("a client that did not declare elicitation gets -32021 naming it, never the question", async () => {
    await setup();
    const err = await rejection(c.call({ name: "greet", arguments: {} }, { capabilities: { sampling: {} } }));
    expect(err.code).toBe(RPC.MISSING_CLIENT_CAPABILITY);
    expect(err.data).toEqual({ requiredCapabilities: { elicitation: {} } });
  });

  test("attack: a tampered requestState is refused (-32602), whatever was changed", async () => {
    await setup();
    const first = await c.call({ name: "greet", arguments: {} });
    const state = first.requestState as string;
    const [prefix, keyId, iv, data] = state.split(":") as [string, string, string, string];
    const flipped = data.slice(0, 10) + (data[10] === "A" ? "B" : "A") + data.slice(11);
    for (const bad of [state + "-TAMPERED", [prefix, keyId, iv, flipped].join(":"), [prefix, "otherkey", iv, data].join(":"), "garbage"]) {
      const err = await rejection(c.call({ name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "A" }) }, requestState: bad }));
      expect(err).toEqual({ code: RPC.INVALID_PARAMS, message: expect.stringContaining("requestState is not valid"), data: undefined });
    }
  });

  test("attack: an expired requestState is refused once 10 minutes have passed", async () => {
    await setup();
    const first = await c.call({ name: "greet", arguments: {} });
    setSystemTime(new Date(Date.now() + 10 * 60_000 + 1000));
    const err = await rejection(c.call({ name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "A" }) }, requestState: first.requestState }));
    expect(err.message).toContain("requestState expired");
  });

  test("attack: another credential's requestState is refused; anonymous states bind to project, channel and version, not IP", async () => {
    await setup();
    const mine = await c.call({ name: "greet", arguments: {} }, { principal: API_KEY });
    const retry = { name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "A" }) }, requestState: mine.requestState };
    expect((await rejection(c.call(retry, { principal: OTHER_KEY }))).message).toContain("issued to another credential");
    await publish(f.deps, f.project.id, f.users.admin);
    // The same state on the other channel does not even open.
    expect((await rejection(c.call(retry, { channel: "production" }))).message).toContain("requestState is not valid");
    // Anonymous callers of a public production: another address may finish the call (never bound to an IP), a key may not.
    const anon = await c.call({ name: "greet", arguments: {} }, { principal: ANONYMOUS("10.0.0.1"), channel: "production" });
    const anonRetry = { ...retry, requestState: anon.requestState };
    const done = await c.call(anonRetry, { principal: ANONYMOUS("10.0.0.2"), channel: "production" });
    expect(done.content).toEqual([{ type: "text", text: "Hello, A!" }]);
    expect((await rejection(c.call(anonRetry, { principal: API_KEY, channel: "production" }))).message).toContain("issued to another credential");
  });

  test("attack: a state for another tool, other arguments or an older tool version is refused", async () => {
    await setup();
    const first = await c.call({ name: "greet", arguments: {} });
    const retry = async (name: string, args: Record<string, unknown> = {}) =>
      (await c.call({ name, arguments: args, inputResponses: { user_name: accept({ name: "A" }), step1: accept({ name: "A" }) }, requestState: first.requestState }));
    expect((await rejection(retry("two_steps"))).message).toContain("belongs to another call");
    setSystemTime(new Date(Date.now() + 1000));
    await updateDraftTool(f.deps, f.project.id, "greet", { description: "Asks for a name (edited)" });
    expect((await rejection(retry("greet"))).message).toContain("requestState is outdated: the tool changed");
  });
});
