/**
 * What the shared rate limits cost (issue 15; docs/architecture.md: Rate limits): the hot-path hit every MCP
 * request pays (in memory, no I/O), the background sync that writes a batch of keys in one transaction, and
 * an exact hit (one upsert) as sign-in, registration and authorize pay it. Best of 5 rounds, on a real
 * SQLite file.   bun test/bench/rate-limit.ts
 */
import { migrate, openDb } from "../../src/db/client";
import { SqliteRateLimitStore } from "../../src/db/rate-limit-store";
import { createLogger } from "../../src/lib/log";
import { RateLimits } from "../../src/lib/rate-limits";
import { tempDir } from "../helpers";

async function time(name: string, n: number, fn: (i: number) => unknown): Promise<void> {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const out = fn(i);
      if (out instanceof Promise) await out;
    }
    if (r > 0) rounds.push(((performance.now() - t) * 1000) / n);
  }
  console.log(`${Math.min(...rounds).toFixed(3).padStart(10)} µs  ${name}`);
}

const db = openDb(tempDir());
migrate(db);
const limits = new RateLimits(new SqliteRateLimitStore(db.$client), { now: () => Date.now() }, createLogger("silent"));
const spec = { name: "bench", limit: 1e12, windowMs: 60_000, what: "requests" };
const hot = limits.hotPath(spec);
const exact = limits.exact({ ...spec, name: "bench-exact" });
const keys = Array.from({ length: 1000 }, (_, i) => `prj_bench|key:key_${i}`);

await time("hot-path hit, one key (per MCP request)", 1_000_000, () => hot.hit(keys[0]!, Date.now()));
await time("hot-path hit, 1000 keys in turn", 1_000_000, (i) => hot.hit(keys[i % 1000]!, Date.now()));
await time("sync of 1 key with hits (per 100 ms)", 2_000, () => (hot.hit(keys[0]!, Date.now()), limits.sync()));
await time("sync of 100 keys with hits (per 100 ms)", 200, async () => {
  for (let k = 0; k < 100; k++) hot.hit(keys[k]!, Date.now());
  await limits.sync();
});
await time("exact hit (one upsert: sign-in, registration, authorize)", 5_000, () => exact.hit("203.0.113.1", Date.now()));
await limits.close();
db.$client.close();
