/**
 * `env.ask` / `env.confirm` / `env.sample` / `env.roots` through the real sandbox pool (ask-bridge.ts): a
 * question without an answer ends the run with `inputRequired`; the re-run from the start with the answer
 * gets it back in call order.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { questionDigest } from "../../src/tools/sandbox/ask-bridge";
import type { InputAnswer, InputRequest } from "../../src/tools/types";
import { script, text, toolsHarness, type ToolsHarness } from "./fixtures";

let h: ToolsHarness;
beforeAll(async () => {
  h = await toolsHarness();
});
afterAll(() => h.close());

const NAME_SCHEMA = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
const accept = (content: Record<string, unknown>) => ({ action: "accept", content });
/** An answer bound to the question it answers, as a sealed requestState binds it (retry-params.ts). */
const to = (request: InputRequest | undefined, response: unknown): InputAnswer => ({ response, question: questionDigest(request!) });
const CONFIRM = (message: string): InputRequest => ({
  method: "elicitation/create",
  params: { message, requestedSchema: { type: "object", properties: { confirm: { type: "boolean", title: "Confirm", description: "Check to go ahead" } }, required: ["confirm"] } },
});

describe("script tools that ask", () => {
  test("env.ask stops the run at an unanswered question and returns the answer on the re-run", async () => {
    const tool = script(`export default async (input, env) => {
      const r = await env.ask({ message: "What is your name?", schema: ${JSON.stringify(NAME_SCHEMA)}, key: "user_name" });
      return "Hello, " + r.content.name + "!";
    }`);
    const first = await h.call(tool);
    expect(first.inputRequired).toEqual({
      user_name: { method: "elicitation/create", params: { message: "What is your name?", requestedSchema: NAME_SCHEMA } },
    });
    expect(first.result.isError).toBeUndefined();
    const second = await h.callWith(tool, {}, { user_name: to(first.inputRequired!.user_name, accept({ name: "Alice" })) });
    expect(second.inputRequired).toBeUndefined();
    expect(text(second)).toBe("Hello, Alice!");
  });

  test("keys follow call order (ask_1, confirm_2 …); each round carries the questions up to the first unanswered one", async () => {
    const tool = script(`export default async (input, env) => {
      const a = await env.ask({ message: "Name?", schema: ${JSON.stringify(NAME_SCHEMA)} });
      const ok = await env.confirm("Delete " + a.content.name + "?");
      return ok ? "deleted" : "kept";
    }`);
    const r1 = await h.call(tool);
    expect(Object.keys(r1.inputRequired!)).toEqual(["ask_1"]);
    const name = to(r1.inputRequired!.ask_1, accept({ name: "x" }));
    const r2 = await h.callWith(tool, {}, { ask_1: name });
    expect(Object.keys(r2.inputRequired!)).toEqual(["confirm_2"]);
    expect(r2.inputRequired!.confirm_2!.params.message).toBe("Delete x?");
    const yes = await h.callWith(tool, {}, { ask_1: name, confirm_2: to(r2.inputRequired!.confirm_2, accept({ confirm: true })) });
    expect(text(yes)).toBe("deleted");
    const no = await h.callWith(tool, {}, { ask_1: name, confirm_2: to(r2.inputRequired!.confirm_2, { action: "decline" }) });
    expect(text(no)).toBe("kept");
  });

  test("Promise.all asks several questions in one round; sampling and roots answers come back as their results", async () => {
    const tool = script(`export default async (input, env) => {
      const [s, r] = await Promise.all([
        env.sample({ messages: [{ role: "user", content: { type: "text", text: "Hi" } }], maxTokens: 5 }, { key: "greeting" }),
        env.roots({ key: "client_roots" }),
      ]);
      return s.content.text + " " + r.roots.map((x) => x.uri).join(",");
    }`);
    const first = await h.call(tool);
    expect(Object.keys(first.inputRequired!).sort()).toEqual(["client_roots", "greeting"]);
    expect(first.inputRequired!.client_roots).toEqual({ method: "roots/list", params: {} });
    const done = await h.callWith(tool, {}, {
      greeting: to(first.inputRequired!.greeting, { role: "assistant", content: { type: "text", text: "Hello" }, model: "m" }),
      client_roots: to(first.inputRequired!.client_roots, { roots: [{ uri: "file:///a" }] }),
    });
    expect(text(done)).toBe("Hello file:///a");
  });

  test("an answer of the wrong shape, to another question under the same key, or bound to no question, is asked again", async () => {
    const tool = script(`export default async (input, env) => (await env.ask({ message: "Name?", schema: ${JSON.stringify(NAME_SCHEMA)}, key: "k" })).content.name`);
    const question: InputRequest = { method: "elicitation/create", params: { message: "Name?", requestedSchema: NAME_SCHEMA } };
    const wrongShape = await h.callWith(tool, {}, { k: to(question, { action: "accept", content: { name: 5 } }) });
    expect(Object.keys(wrongShape.inputRequired!)).toEqual(["k"]);
    const otherQuestion = await h.callWith(tool, {}, { k: to({ method: "roots/list", params: {} }, accept({ name: "a" })) });
    expect(Object.keys(otherQuestion.inputRequired!)).toEqual(["k"]);
    const unbound = await h.callWith(tool, {}, { k: { response: accept({ name: "a" }) } });
    expect(Object.keys(unbound.inputRequired!)).toEqual(["k"]);
    const thisQuestion = await h.callWith(tool, {}, { k: to(question, accept({ name: "a" })) });
    expect(text(thisQuestion)).toBe("a");
  });

  test("a script cannot catch the stop and carry on: code after an unanswered question never runs", async () => {
    const tool = script(`export default async (input, env) => {
      try { await env.confirm("Go?"); } catch (e) { env.log("caught"); }
      env.log("after");
      return "went on";
    }`);
    const out = await h.call(tool);
    expect(Object.keys(out.inputRequired!)).toEqual(["confirm_1"]);
    expect(out.logs).toEqual([]);
  });

  test("bad arguments are a TypeError the script sees; env.client.capabilities shows what the client declared", async () => {
    const bad = await h.call(script(`export default async (input, env) => { await env.ask({ message: "" }); }`));
    expect(bad.errorClass).toBe("tool");
    expect(bad.error).toMatch(/TypeError: env\.ask: message/);
    const caps = await h.callWith(script(`export default (input, env) => Object.keys(env.client.capabilities)`), {}, {}, { sampling: {} });
    expect(caps.result.structuredContent).toEqual({ result: ["sampling"] });
  });

  test("the worker survives rounds: many input-required runs in a row keep working", async () => {
    const tool = script(`export default async (input, env) => env.confirm("ok?")`);
    for (let i = 0; i < 20; i++) expect(Object.keys((await h.call(tool)).inputRequired!)).toEqual(["confirm_1"]);
    expect(text(await h.callWith(tool, {}, { confirm_1: to(CONFIRM("ok?"), accept({ confirm: true })) }))).toBe("true");
  });
});
