/**
 * The engine runs every call in one context rewound to its snapshot afterwards (src/tools/sandbox/snapshot.ts,
 * issue 19): each call must still see a context no earlier call touched, and the rewind must leave nothing
 * behind — on the QuickJS side (globals, prototypes, builtins, Math.random's state, the heap) or the host's
 * (the table of host functions). Run in this thread, the way the worker runs it.
 */
import { beforeAll, expect, test } from "bun:test";
import { SandboxEngine } from "../../../src/tools/sandbox/engine";
import type { SandboxJob, SandboxResult } from "../../../src/tools/sandbox/protocol";
import { layout, usedRuns } from "../../../src/tools/sandbox/snapshot";
import { job } from "./job";

let engine: SandboxEngine;
beforeAll(async () => {
  engine = await SandboxEngine.load();
});


/** One call as the worker makes it: run, then tidy (the rewind) unless the worker would be replaced. */
async function call(script: string, extra: Partial<SandboxJob> = {}, logs: string[] = []): Promise<SandboxResult & { recycle: boolean }> {
  const { result, recycle } = await engine.run(job(script, extra), { log: (level, message) => logs.push(`${level}: ${message}`), progress() {} });
  if (!recycle) expect(engine.tidy()).toBe(true);
  return { ...result, recycle };
}

const value = (r: SandboxResult) => ("value" in r ? r.value : r);

test("every call starts from an untouched context: globals, prototype patches, replaced builtins and env are gone", async () => {
  const script = `export default (input, env) => {
    const seen = {
      leak: globalThis.leak ?? null,
      patched: typeof Object.prototype.patched,
      push: Array.prototype.push.name,
      json: typeof JSON.parse,
      fetch: typeof fetch,
      console: typeof console.log,
      later: globalThis.later ?? null,
      frozenEnv: Object.isFrozen(env),
      secret: env.secrets.token ?? null,
    };
    globalThis.leak = "x";
    Object.prototype.patched = 1;
    Array.prototype.push = function hijacked() { return 0; };
    JSON.parse = null;
    globalThis.fetch = null;
    console.log = null;
    Promise.resolve().then(() => { globalThis.later = 1; });
    return seen;
  }`;
  const fresh = { leak: null, patched: "undefined", push: "push", json: "function", fetch: "function", console: "function", later: null, frozenEnv: true };
  expect(value(await call(script, { secrets: { token: "first" } }))).toEqual({ ...fresh, secret: "first" });
  expect(value(await call(script))).toEqual({ ...fresh, secret: null });
  expect(value(await call(script, { secrets: { token: "third" } }))).toEqual({ ...fresh, secret: "third" });
});

test("a module's top-level state is evaluated afresh in each call", async () => {
  const script = "let n = 0; globalThis.count = (globalThis.count ?? 0) + 1; export default () => ({ n: ++n, count: globalThis.count });";
  for (let i = 0; i < 3; i++) expect(value(await call(script))).toEqual({ n: 1, count: 1 });
});

test("Math.random draws new numbers in every call (the restored context would otherwise repeat its seed)", async () => {
  const script = "export default () => Array.from({ length: 1000 }, () => Math.random())";
  const a = value(await call(script)) as number[];
  const b = value(await call(script)) as number[];
  expect(a[0]).not.toBe(b[0]);
  expect(new Set([...a, ...b]).size).toBe(2000);
  for (const n of [...a, ...b]) expect(n >= 0 && n < 1).toBe(true);
  const mean = [...a, ...b].reduce((s, n) => s + n, 0) / 2000;
  expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  expect(value(await call("export default () => [typeof Math.random, Math.random.name, Math.random.length, Object.keys(Math).includes('random')]"))).toEqual(["function", "random", 0, false]);
});

test("host functions made during calls (console, env.log) do not pile up across hundreds of calls", async () => {
  const table = () => {
    const refs = (engine as unknown as { fresh: { rt: { hostRefs: { groups: Map<number, Map<number, unknown>> } } } }).fresh.rt.hostRefs;
    return [...refs.groups.values()].reduce((n, g) => n + g.size, 0);
  };
  const script = "export default (input, env) => { console.log('call', input.i); env.log('warning', 'env'); return input.i; }";
  await call(script, { input: { i: 0 } });
  const before = table();
  for (let i = 1; i <= 300; i++) {
    const logs: string[] = [];
    expect(value(await call(script, { input: { i } }, logs))).toBe(i);
    expect(logs).toEqual([`info: call ${i}`, "warning: env"]);
  }
  expect(table()).toBe(before);
});

test("a call that used a lot of memory leaves nothing behind; the memory limit still holds afterwards", async () => {
  const globals = "export default () => Object.getOwnPropertyNames(globalThis).sort()";
  const untouched = value(await call(globals));
  const big = await call("export default () => { const a = []; for (let i = 0; i < 200000; i++) a.push({ i, s: 'x' + i }); globalThis.big = a; return a.length; }");
  expect(value(big)).toBe(200000);
  expect(value(await call(globals))).toEqual(untouched);
  const over = await call("export default () => { const a = []; for (;;) a.push(new Array(100000).fill(1)); }", { memoryMb: 16 });
  expect(over.ok).toBe(false);
  expect(over.recycle).toBe(true);
});

test("the snapshot finds data + bss below the C stack's gap and the heap above it, and refuses any other layout", () => {
  const KB = 1024;
  const MB = 1024 * KB;
  // This build: data (with a zero page inside) at 0, the 5 MB stack, the heap (with a hole) above.
  expect(layout([[0, 40 * KB], [44 * KB, 92 * KB], [5 * MB + 80 * KB, 5 * MB + 120 * KB], [5 * MB + 200 * KB, 5 * MB + 300 * KB]])).toEqual({
    dataEnd: 92 * KB + 64 * KB,
    heapStart: 5 * MB + 80 * KB,
    heapEnd: 5 * MB + 300 * KB,
  });
  // The bss margin never reaches into the heap.
  expect(layout([[0, 92 * KB], [92 * KB + MB, 2 * MB]]).dataEnd).toBe(92 * KB + 64 * KB);
  expect(() => layout([[0, 92 * KB], [100 * KB, 200 * KB]])).toThrow(/memory layout/);
  expect(() => layout([[4 * KB, 92 * KB], [6 * MB, 7 * MB]])).toThrow(/memory layout/);
  expect(() => layout([[0, 92 * KB]])).toThrow(/memory layout/);
  // Used pages, found by scanning a memory.
  const memory = new WebAssembly.Memory({ initial: 256 });
  const u8 = new Uint8Array(memory.buffer);
  u8[10] = 1;
  u8[5 * MB + 5] = 1;
  expect(usedRuns(memory)).toEqual([[0, 4 * KB], [5 * MB, 5 * MB + 4 * KB]]);
});
