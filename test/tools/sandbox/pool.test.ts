import { afterEach, expect, test } from "bun:test";
import { createLogger } from "../../../src/lib/log";
import { SandboxPool } from "../../../src/tools/sandbox/pool";
import { job } from "./job";

const pools: SandboxPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

function pool(maxWorkers: number): SandboxPool {
  const p = new SandboxPool(createLogger("silent"), maxWorkers);
  pools.push(p);
  return p;
}

const hooks = () => ({ log() {}, progress() {}, signal: new AbortController().signal });

test("workers start lazily and are reused across calls", async () => {
  const p = pool(2);
  expect(p.size).toBe(0);
  for (let i = 0; i < 20; i++) expect(await p.run(job(`export default () => ${i}`), hooks())).toEqual({ ok: true, value: i });
  expect(p.size).toBe(1);
});

test("a call waiting for a busy sandbox gives up at its own time limit", async () => {
  const p = pool(1);
  const hog = p.run(job("export default () => { for (;;) {} }", { timeoutMs: 1500 }), hooks());
  await Bun.sleep(50);
  const waiting = p.run(job("export default () => 1", { timeoutMs: 200 }), hooks());
  // Ordering, not a wall-clock bound (a busy machine stretches both): the waiter's own 200 ms limit ends it
  // before the hog's 1,500 ms one frees the sandbox.
  const first = await Promise.race([waiting.then(() => "waiter"), hog.then(() => "hog")]);
  expect(first).toBe("waiter");
  expect(await waiting).toEqual({ ok: false, errorClass: "runtime", error: "every script sandbox stayed busy for the call's 200 ms time limit" });
  expect(await hog).toMatchObject({ ok: false, errorClass: "runtime" });
  expect(await p.run(job("export default () => 'free again'"), hooks())).toEqual({ ok: true, value: "free again" });
});

test("a worker whose heap grew is replaced; the next call runs on a fresh one", async () => {
  const p = pool(1);
  const grown = await p.run(job("export default () => { const a = []; for (let i = 0; i < 120; i++) a.push(new Array(1e5).fill(i)); return a.length }", { memoryMb: 256 }), hooks());
  expect(grown).toEqual({ ok: true, value: 120 });
  expect(p.size).toBe(0);
  expect(await p.run(job("export default () => 'fresh'"), hooks())).toEqual({ ok: true, value: "fresh" });
});

test("close ends waiting and running calls with a clear error", async () => {
  const p = pool(1);
  const running = p.run(job("export default () => { for (;;) {} }", { timeoutMs: 5000 }), hooks());
  const queued = p.run(job("export default () => 1"), hooks());
  await Bun.sleep(100);
  await p.close();
  expect(await running).toEqual({ ok: false, errorClass: "runtime", error: "the server is shutting down" });
  expect(await queued).toEqual({ ok: false, errorClass: "runtime", error: "the server is shutting down" });
});

test("a cancel that arrives while the sandbox worker is still starting ends the call at once", async () => {
  const p = pool(1);
  const controller = new AbortController();
  const call = p.run(job("export default () => { for (;;) {} }", { timeoutMs: 5000 }), { ...hooks(), signal: controller.signal });
  controller.abort();
  // "cancelled", not the time-limit error: the call ended on the cancel, not after running to its 5 s limit.
  expect(await call).toEqual({ ok: false, errorClass: "runtime", error: "the call was cancelled" });
  expect(await p.run(job("export default () => 'still usable'"), hooks())).toEqual({ ok: true, value: "still usable" });
});
