/**
 * The sandbox pool starts no more workers than the cores this process may use (two at least): on one
 * core, four workers only take turns and cost more CPU per call than two (measured by `npm run bench`).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { defaultMaxWorkers } from "../../../src/tools/sandbox/pool";

test("one worker per usable core, two at least (a slow call must not hold up all others), four at most", () => {
  expect([1, 2, 3, 4, 8, 64].map((cores) => defaultMaxWorkers(cores))).toEqual([2, 2, 3, 4, 4, 4]);
});

test.skipIf(!Bun.which("taskset"))("a process pinned to one core runs 8 concurrent script calls on 2 workers", async () => {
  const pool = join(import.meta.dir, "../../../src/tools/sandbox/pool.ts");
  const log = join(import.meta.dir, "../../../src/lib/log.ts");
  const child = Bun.spawn(
    ["taskset", "-c", "0", process.execPath, "-e", `
      const { SandboxPool } = await import(${JSON.stringify(pool)});
      const { createLogger } = await import(${JSON.stringify(log)});
      const p = new SandboxPool(createLogger("silent"));
      const job = { script: "export default () => 1", input: {}, secrets: {}, timeoutMs: 5000, memoryMb: 64, allowedDomains: [], allowLoopbackFetch: false, blockedOrigins: [] };
      let peak = 0;
      await Promise.all(Array.from({ length: 8 }, async () => { await p.run(job, { log() {}, progress() {}, signal: new AbortController().signal }); peak = Math.max(peak, p.size); }));
      console.log(peak);
      await p.close();
    `],
    { stdout: "pipe", stderr: "inherit" },
  );
  expect(await child.exited).toBe(0);
  expect(Number((await new Response(child.stdout).text()).trim())).toBe(2);
}, 30_000);
