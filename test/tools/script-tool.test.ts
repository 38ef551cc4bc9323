import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { script, text, toolsHarness, type ToolsHarness } from "./fixtures";

let h: ToolsHarness;
beforeAll(async () => {
  h = await toolsHarness();
});
afterAll(() => h.close());

describe("script tools run real handlers", () => {
  test("input in, JSON out: structuredContent plus a text rendering", async () => {
    const out = await h.call(script("export default async (input, env) => ({ echoed: input.text, n: input.n * 2 })"), { text: "hi", n: 21 });
    expect(out.errorClass).toBeUndefined();
    expect(out.result.structuredContent).toEqual({ echoed: "hi", n: 42 });
    expect(JSON.parse(text(out))).toEqual({ echoed: "hi", n: 42 });
    expect(out.result.isError).toBeUndefined();
  });

  test("non-object values are wrapped, strings shown as they are, undefined gives empty content", async () => {
    const arr = await h.call(script("export default () => [1, 2, 3]"));
    expect(arr.result.structuredContent).toEqual({ result: [1, 2, 3] });
    const str = await h.call(script("export default () => 'plain words'"));
    expect(text(str)).toBe("plain words");
    expect(str.result.structuredContent).toEqual({ result: "plain words" });
    const none = await h.call(script("export default () => {}"));
    expect(none.result).toEqual({ content: [] });
  });

  test("a full MCP result passes through; a malformed one is a tool error", async () => {
    const full = await h.call(
      script(`export default () => ({ content: [
        { type: "text", text: "hello" },
        { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
        { type: "audio", data: "UklGRg==", mimeType: "audio/wav" },
        { type: "resource", resource: { uri: "test://doc", mimeType: "text/plain", text: "doc" } } ], isError: false })`),
    );
    expect(full.result.content.map((c) => c.type)).toEqual(["text", "image", "audio", "resource"]);
    const bad = await h.call(script(`export default () => ({ content: [{ type: "image" }] })`));
    expect(bad.errorClass).toBe("tool");
    expect(bad.error).toMatch(/invalid MCP result: content\.0/);
  });

  test("console.log and env.log reach the host and the audit logs; env.progress sends progress", async () => {
    const out = await h.call(
      script(`export default async (input, env) => {
        console.log("starting", { id: 7 });
        console.warn("careful");
        env.log("error", "bad thing");
        env.log("plain", 1);
        env.progress(1, 2, "half way");
        await Promise.resolve();
        env.progress(2, 2);
        return { ok: true };
      }`),
    );
    expect(out.notified.logs).toEqual([
      { level: "info", message: 'starting {"id":7}' },
      { level: "warning", message: "careful" },
      { level: "error", message: "bad thing" },
      { level: "info", message: "plain 1" },
    ]);
    expect(out.logs).toEqual(['info: starting {"id":7}', "warning: careful", "error: bad thing", "info: plain 1"]);
    expect(out.notified.progress).toEqual([
      { progress: 1, total: 2, message: "half way" },
      { progress: 2, total: 2, message: undefined },
    ]);
  });

  test("log lines are capped for the audit row: 200 lines, then one marker", async () => {
    const out = await h.call(script("export default () => { for (let i = 0; i < 300; i++) console.log('line', i, 'x'.repeat(10000)); return 1 }"));
    expect(out.logs.length).toBe(201);
    expect(out.logs[0]!.length).toBeLessThanOrEqual("info: ".length + 8192);
    expect(out.logs.at(-1)).toBe("warning: log limit reached: further lines dropped");
  });

  test("a module with top-level await works", async () => {
    const out = await h.call(script("const base = await Promise.resolve(40);\nexport default (i) => ({ v: base + i.add })"), { add: 2 });
    expect(out.result.structuredContent).toEqual({ v: 42 });
  });

  test("each call gets a fresh context: globals set by one call are gone in the next", async () => {
    const def = script("export default () => { const seen = globalThis.leak ?? null; globalThis.leak = 'x'; return { seen }; }");
    expect((await h.call(def)).result.structuredContent).toEqual({ seen: null });
    expect((await h.call(def)).result.structuredContent).toEqual({ seen: null });
  });

  test("concurrent calls each get their own answer", async () => {
    const def = script("export default async (i) => { await Promise.resolve(); return { i: i.i } }");
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => h.call(def, { i })));
    expect(outs.map((o) => o.result.structuredContent)).toEqual(Array.from({ length: 12 }, (_, i) => ({ i })));
  });
});

describe("configuration and tool errors are classified", () => {
  test.each([
    ["a syntax error", "export default (", "configuration", /could not be loaded: SyntaxError/],
    ["no default export", "export const x = 1", "configuration", /must export a default function/],
    ["a default export that is not a function", "export default 5", "configuration", /must export a default function/],
    ["an import", "import x from 'fs'; export default () => x", "configuration", /could not be loaded/],
    ["the handler throwing", "export default () => { throw new TypeError('bad input') }", "tool", /the handler threw TypeError: bad input/],
    ["the handler rejecting with a non-error", "export default async () => { throw 42 }", "tool", /the handler threw Error: threw 42/],
    ["a function as result", "export default () => () => 1", "tool", /not JSON.*returned a function/],
    ["a cyclic result", "export default () => { const a = {}; a.self = a; return a }", "tool", /not JSON.*circular/],
    ["a BigInt result", "export default () => ({ n: 10n })", "tool", /not JSON.*BigInt/i],
    ["a symbol result", "export default () => Symbol('s')", "tool", /returned a symbol/],
  ])("%s", async (_, source, errorClass, message) => {
    const out = await h.call(script(source));
    expect(out.errorClass).toBe(errorClass as "tool");
    expect(out.error).toMatch(message);
    expect(out.result.isError).toBe(true);
    expect(text(out)).toBe(out.error!);
  });
});
