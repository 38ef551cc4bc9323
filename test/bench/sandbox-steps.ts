/**
 * µs per step of one script tool call (issue 19): what building a fresh QuickJS context per call costs step
 * by step, in this thread (the engine now builds one per worker and rewinds it, snapshot.ts: these steps are
 * what that saves), then whole calls through `SandboxEngine` in this thread and through the worker pool.
 * CPU is `process.cpuUsage()` (every thread of the process), wall is `performance.now()`. Run it pinned to
 * one core to see the one-core floor: `taskset -c 0 bun test/bench/sandbox-steps.ts [calls]`.
 */
import variant from "@jitl/quickjs-singlefile-mjs-release-sync";
import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from "quickjs-emscripten-core";
import { builtins, installGlobals, installPrepare, newEnv, prepareCall, toJsonValue, type Builtins } from "../../src/tools/sandbox/bridge";
import { SandboxEngine } from "../../src/tools/sandbox/engine";
import { SandboxPool } from "../../src/tools/sandbox/pool";
import type { SandboxJob } from "../../src/tools/sandbox/protocol";
import { createLogger } from "../../src/lib/log";

const N = Number(process.argv[2] ?? 2000);
const SCRIPT = "export default (input) => ({ sum: input.a + input.b })";
const job: SandboxJob = {
  script: SCRIPT,
  input: { a: 1, b: 2 },
  secrets: {},
  timeoutMs: 5000,
  memoryMb: 64,
  allowedDomains: [],
  allowLoopbackFetch: false,
  blockedOrigins: [],
  answers: {},
  clientCapabilities: {},
};

const rows: Array<[string, number, number]> = [];
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Runs `fn` n times after a warm-up; records CPU and wall µs per run. */
async function measure(name: string, n: number, fn: () => unknown | Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const c = cpuNow();
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  rows.push([name, (cpuNow() - c) / n, ((performance.now() - t) * 1000) / n]);
}

const module = await newQuickJSWASMModuleFromVariant(variant);

// Step by step, each step timed across N contexts (the steps before it done untimed).
interface Ctx {
  rt: QuickJSRuntime;
  vm: QuickJSContext;
  b?: Builtins;
  env?: QuickJSHandle;
  prepare?: QuickJSHandle;
  ns?: QuickJSHandle;
  handler?: QuickJSHandle;
  input?: QuickJSHandle;
  out?: QuickJSHandle;
}
const host = () => null;
const stage = {
  runtime: (): Ctx => {
    const rt = module.newRuntime();
    rt.setMaxStackSize(256 * 1024);
    rt.setInterruptHandler(() => performance.now() < 0);
    return { rt } as Ctx;
  },
  context: (c: Ctx) => (c.vm = c.rt.newContext()),
  globals: (c: Ctx) => {
    c.b = builtins(c.vm);
    c.env = newEnv(c.vm, host);
    c.prepare = installPrepare(c.vm);
    installGlobals(c.vm, host);
  },
  evalModule: (c: Ctx) => {
    const r = c.vm.evalCode(SCRIPT, "tool.js", { type: "module" });
    c.ns = c.vm.unwrapResult(r);
    c.rt.executePendingJobs();
    const st = c.vm.getPromiseState(c.ns);
    if (st.type === "fulfilled" && !st.notAPromise) {
      c.ns.dispose();
      c.ns = st.value;
    }
    c.handler = c.vm.getProp(c.ns, "default");
  },
  input: (c: Ctx) => {
    c.input = prepareCall(c.vm, c.prepare!, c.env!, job.input, {}, {});
  },
  call: (c: Ctx) => {
    c.out = c.vm.unwrapResult(c.vm.callFunction(c.handler!, c.vm.undefined, c.input!, c.env!));
    c.rt.executePendingJobs();
  },
  output: (c: Ctx) => c.out!.consume((v) => toJsonValue(c.vm, c.b!, v)),
  dispose: (c: Ctx) => {
    for (const h of [c.ns, c.handler, c.input, c.env, c.prepare]) h?.dispose();
    c.b?.dispose();
    c.vm.dispose();
    c.rt.dispose();
  },
};
const order = ["runtime", "context", "globals", "evalModule", "input", "call", "output", "dispose"] as const;
for (let at = 0; at < order.length; at++) {
  const name = order[at]!;
  const batch = 500;
  let cpu = 0;
  let wall = 0;
  for (let done = 0; done < N; done += batch) {
    const ctxs: Ctx[] = [];
    for (let i = 0; i < batch; i++) {
      const c = name === "runtime" ? null : stage.runtime();
      if (c) for (const s of order.slice(1, at)) (stage[s] as (c: Ctx) => unknown)(c);
      ctxs.push(c as Ctx);
    }
    const c0 = cpuNow();
    const t0 = performance.now();
    if (name === "runtime") for (let i = 0; i < batch; i++) ctxs[i] = stage.runtime();
    else for (const c of ctxs) (stage[name] as (c: Ctx) => unknown)(c);
    cpu += cpuNow() - c0;
    wall += (performance.now() - t0) * 1000;
    if (name !== "dispose") for (const c of ctxs) for (const s of order.slice(at + 1)) (stage[s] as (c: Ctx) => unknown)(c);
  }
  rows.push([`step: ${name}`, cpu / N, wall / N]);
}

// Whole calls.
const engine = await SandboxEngine.load();
const hooks = { log() {}, progress() {} };
await measure("engine.run + tidy, in this thread", N, async () => {
  const { result } = await engine.run(job, hooks);
  if (!result.ok) throw new Error(JSON.stringify(result));
  engine.tidy();
});
const pool = new SandboxPool(createLogger("silent"), 1);
const signal = new AbortController().signal;
const poolHooks = { log() {}, progress() {}, signal };
await measure("pool.run (worker hop), serial", N, async () => {
  const r = await pool.run(job, poolHooks);
  if (!r.ok) throw new Error(JSON.stringify(r));
});
await measure("pool.run, 16 in flight (per call)", N / 16, () => Promise.all(Array.from({ length: 16 }, () => pool.run(job, poolHooks))).then(() => undefined));
rows[rows.length - 1]![1] /= 16;
rows[rows.length - 1]![2] /= 16;
await pool.close();

console.log(`sandbox steps, ${N} calls each, bun ${Bun.version}`);
console.log(`${"step".padEnd(40)} ${"CPU µs".padStart(8)} ${"wall µs".padStart(8)}`);
for (const [name, cpu, wall] of rows) console.log(`${name.padEnd(40)} ${cpu.toFixed(1).padStart(8)} ${wall.toFixed(1).padStart(8)}`);
const steps = rows.filter(([n]) => n.startsWith("step:")).reduce((s, [, c]) => s + c, 0);
console.log(`${"sum of steps".padEnd(40)} ${steps.toFixed(1).padStart(8)}`);
process.exit(0);
