import { expect, test } from "bun:test";
import { createLogger } from "../../src/lib/log";
import { FIRST_RUN_DELAY_MS, runPeriodically } from "../../src/lib/periodic";

const deps = () => ({ log: createLogger("silent"), shutdownHooks: [] as Array<() => Promise<void> | void> });

test("the first run waits until the start-up is over: not during the call, its promise turns or the next loop turn; then on its own", async () => {
  const d = deps();
  let runs = 0;
  runPeriodically(d, "test task", 3_600_000, () => void runs++);
  expect(runs).toBe(0);
  await Bun.sleep(0);
  expect(runs).toBe(0);
  for (let i = 0; i < 150 && runs === 0; i++) await Bun.sleep(20);
  expect(runs).toBe(1);
  for (const hook of d.shutdownHooks) await hook();
});

test("a shutdown before the first run means it never runs", async () => {
  const d = deps();
  let runs = 0;
  runPeriodically(d, "test task", 3_600_000, () => void runs++);
  for (const hook of d.shutdownHooks) await hook();
  await Bun.sleep(FIRST_RUN_DELAY_MS + 200);
  expect(runs).toBe(0);
});
