/**
 * Measures what the sandbox adds to a script tool call (docs/architecture.md: Performance targets): a trivial handler
 * through the real runtime — worker round trip, fresh QuickJS context, JSON in and out — serially for
 * latency and with calls in flight for throughput, plus the process CPU time each call costs (which
 * bounds calls/s on one core even on a busy machine) next to the cost of a bare QuickJS runtime +
 * context measured the same way, the floor no sandbox can go below. Prints the numbers; the assertions are loose bounds
 * that only catch a regression by an order of magnitude. A benchmark, not a unit test (issue 13): run it with
 * `bun test ./test/bench/sandbox-overhead.bench.ts`; `npm test` does not.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import variant from "@jitl/quickjs-singlefile-mjs-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import { ToolDefinitionSchema } from "../../src/projects/manifest";
import { script, toolsHarness, type ToolsHarness } from "../tools/fixtures";

const WARMUP = 200;
const SERIAL = 1000;
const CONCURRENT = 2000;
const IN_FLIGHT = 16;

let h: ToolsHarness;
beforeAll(async () => {
  h = await toolsHarness();
});
afterAll(() => h.close());

/** CPU µs of the bare minimum — a QuickJS runtime + context created and disposed — on this machine, now. */
async function rawContextCpuUs(n: number): Promise<number> {
  const module = await newQuickJSWASMModuleFromVariant(variant);
  const cycle = () => {
    const rt = module.newRuntime();
    rt.newContext().dispose();
    rt.dispose();
  };
  for (let i = 0; i < 100; i++) cycle();
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) cycle();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

test("per-call sandbox overhead of a trivial script tool", async () => {
  const def = ToolDefinitionSchema.parse(script("export default (input) => ({ echoed: input.text })"));
  const ctx = { projectId: h.projectId, channel: "production" as const, log() {}, progress() {}, signal: new AbortController().signal };
  const call = () => h.deps.tools.run(h.projectId, def, { text: "hi" }, ctx);
  for (let i = 0; i < WARMUP; i++) await call();

  const times: number[] = [];
  const cpuBefore = process.cpuUsage();
  const serialStart = performance.now();
  for (let i = 0; i < SERIAL; i++) {
    const t = performance.now();
    const out = await call();
    times.push(performance.now() - t);
    if (out.errorClass) throw new Error(out.error);
  }
  const serialSeconds = (performance.now() - serialStart) / 1000;
  // Process CPU (main thread + sandbox worker) per call: what one core can sustain, however busy the machine.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUsPerCall = (cpu.user + cpu.system) / SERIAL;
  times.sort((a, b) => a - b);

  let started = 0;
  const concurrentStart = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (started < CONCURRENT) {
        started++;
        await call();
      }
    }),
  );
  const concurrentSeconds = (performance.now() - concurrentStart) / 1000;

  const report = {
    medianUs: Math.round(percentile(times, 0.5) * 1000),
    p99Us: Math.round(percentile(times, 0.99) * 1000),
    serialCallsPerSecond: Math.round(SERIAL / serialSeconds),
    concurrentCallsPerSecond: Math.round(CONCURRENT / concurrentSeconds),
    cpuUsPerCall: Math.round(cpuUsPerCall),
    rawContextCpuUs: Math.round(await rawContextCpuUs(SERIAL)),
    oneCoreCallsPerSecond: Math.round(1e6 / cpuUsPerCall),
    inFlight: IN_FLIGHT,
  };
  console.log("sandbox overhead", JSON.stringify(report));
  expect(report.medianUs).toBeLessThan(10_000);
  expect(report.serialCallsPerSecond).toBeGreaterThan(100);
}, 120_000);
