/**
 * The shared limiters on a real SQLite file, with two connections standing for two instances (the same
 * store every `portico serve` on one data dir uses). Time is a fake clock; syncs are called by the test,
 * so the bound is checked exactly rather than raced against the background timer.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { migrate, openDb, type Db } from "../../src/db/client";
import { SqliteRateLimitStore } from "../../src/db/rate-limit-store";
import { RateLimitError } from "../../src/errors";
import { createLogger } from "../../src/lib/log";
import { RateLimits } from "../../src/lib/rate-limits";
import type { LimitSpec } from "../../src/lib/rate-limit";
import { tempDir } from "../helpers";

const MINUTE = 60_000;
/** A window start, so a test's hits all fall into one window. */
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);
const spec = (limit: number): LimitSpec => ({ name: "test", limit, windowMs: MINUTE, what: "test hits" });

let dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs) db.$client.close();
  dbs = [];
});

/** One "instance": its own connection to the shared file, its own limiters, a clock the test moves. */
function instance(dir: string, clock: { t: number }) {
  const db = openDb(dir);
  migrate(db);
  dbs.push(db);
  return { db, limits: new RateLimits(new SqliteRateLimitStore(db.$client), { now: () => clock.t }, createLogger("silent")) };
}

/** How many of `n` hits were allowed. */
function allowed(hit: () => unknown, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      hit();
      ok++;
    } catch (err) {
      if (!(err instanceof RateLimitError)) throw err;
    }
  }
  return ok;
}

describe("exact shared limiter", () => {
  test("attack: two instances counting one key allow exactly the limit between them", async () => {
    const dir = tempDir();
    const clock = { t: T0 + 5_000 };
    const a = instance(dir, clock).limits.exact(spec(7));
    const b = instance(dir, clock).limits.exact(spec(7));
    const results: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      results.push(await (i % 2 ? a : b).hit("203.0.113.9", clock.t).then(() => true, () => false));
    }
    expect(results.filter(Boolean)).toHaveLength(7);
    expect(results.slice(7).every((r) => !r)).toBe(true);
    const refused = await a.hit("203.0.113.9", clock.t).catch((e) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).retryAfterSeconds).toBe(55);
  });

  test("a window ends when the clock moves past it, and reset forgets a key", async () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const a = instance(dir, clock).limits.exact(spec(2));
    await a.hit("k", clock.t);
    await a.hit("k", clock.t);
    await expect(a.hit("k", clock.t)).rejects.toBeInstanceOf(RateLimitError);
    clock.t += MINUTE;
    expect(await a.hit("k", clock.t)).toBe(1);
    await a.reset("k");
    expect(await a.hit("k", clock.t)).toBe(1);
  });

  test("what is counted is stored hashed under the limiter's name", async () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const i = instance(dir, clock);
    await i.limits.exact(spec(2)).hit("ada@example.com", clock.t);
    const rows = i.db.$client.query("SELECT key, window_start AS w, count FROM rate_limit_windows").all() as Array<{ key: string; w: number; count: number }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toMatch(/^test:[0-9a-f]{64}$/);
    expect(rows[0]).toMatchObject({ w: T0, count: 1 });
  });
});

describe("hot-path limiter (counted locally, synced)", () => {
  test("one instance alone is exact, whenever it syncs", async () => {
    const clock = { t: T0 };
    const i = instance(tempDir(), clock);
    const l = i.limits.hotPath(spec(10));
    expect(allowed(() => l.hit("key", clock.t), 4)).toBe(4);
    await i.limits.sync();
    expect(allowed(() => l.hit("key", clock.t), 3)).toBe(3);
    await i.limits.sync();
    expect(allowed(() => l.hit("key", clock.t), 5)).toBe(3);
    await i.limits.sync();
    expect(allowed(() => l.hit("key", clock.t), 1)).toBe(0);
  });

  test("attack: two instances overshoot by at most what each allowed since its last sync, then both refuse", async () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const a = instance(dir, clock);
    const b = instance(dir, clock);
    const la = a.limits.hotPath(spec(20));
    const lb = b.limits.hotPath(spec(20));
    // 4 hits per instance between syncs: the bound is limit + 2 instances × 4.
    let total = 0;
    for (let round = 0; round < 10; round++) {
      total += allowed(() => la.hit("cred", clock.t), 4) + allowed(() => lb.hit("cred", clock.t), 4);
      await a.limits.sync();
      await b.limits.sync();
    }
    expect(total).toBeGreaterThanOrEqual(20);
    expect(total).toBeLessThanOrEqual(20 + 2 * 4);
    await a.limits.sync();
    expect(allowed(() => la.hit("cred", clock.t), 5) + allowed(() => lb.hit("cred", clock.t), 5)).toBe(0);
    // Another key has its own count.
    expect(allowed(() => lb.hit("other", clock.t), 1)).toBe(1);
  });

  test("a new window starts from zero, and the last window's unsynced hits are still written", async () => {
    const clock = { t: T0 + 59_000 };
    const i = instance(tempDir(), clock);
    const l = i.limits.hotPath(spec(3));
    expect(allowed(() => l.hit("key", clock.t), 5)).toBe(3);
    clock.t += 2_000;
    expect(allowed(() => l.hit("key", clock.t), 1)).toBe(1);
    await i.limits.sync();
    const counts = i.db.$client.query("SELECT window_start AS w, count FROM rate_limit_windows ORDER BY w").all();
    expect(counts).toEqual([{ w: T0, count: 5 }, { w: T0 + MINUTE, count: 1 }]);
  });

  test("the counts synced at close are read back by the next start (a restart does not reset a window)", async () => {
    const dir = tempDir();
    const clock = { t: T0 };
    const first = instance(dir, clock);
    const before = first.limits.hotPath(spec(5));
    expect(allowed(() => before.hit("key", clock.t), 5)).toBe(5);
    await first.limits.close();
    const next = instance(dir, clock);
    const l = next.limits.hotPath(spec(5));
    // Until its first sync a new instance knows only its own hits: within the bound of one sync interval.
    l.hit("key", clock.t);
    await next.limits.sync();
    expect(allowed(() => l.hit("key", clock.t), 3)).toBe(0);
  });

  test("a failed sync keeps the hits, and the next sync writes them", async () => {
    const clock = { t: T0 };
    const i = instance(tempDir(), clock);
    const l = i.limits.hotPath(spec(100));
    allowed(() => l.hit("key", clock.t), 3);
    i.db.$client.exec("ALTER TABLE rate_limit_windows RENAME TO rate_limit_windows_away");
    await expect(i.limits.sync()).rejects.toThrow();
    i.db.$client.exec("ALTER TABLE rate_limit_windows_away RENAME TO rate_limit_windows");
    allowed(() => l.hit("key", clock.t), 2);
    await i.limits.sync();
    expect(i.db.$client.query("SELECT count FROM rate_limit_windows").get()).toEqual({ count: 5 });
  });

  test("the sweep deletes windows older than the longest window and keeps the current ones", async () => {
    const clock = { t: T0 };
    const i = instance(tempDir(), clock);
    const l = i.limits.hotPath(spec(100));
    i.limits.exact({ name: "long", limit: 5, windowMs: 15 * MINUTE, what: "x" });
    l.hit("old", clock.t);
    await i.limits.sync();
    clock.t += 16 * MINUTE;
    l.hit("new", clock.t);
    await i.limits.sync();
    expect(await i.limits.sweep()).toBe(1);
    expect(i.db.$client.query("SELECT window_start AS w FROM rate_limit_windows").all()).toEqual([{ w: T0 + 16 * MINUTE }]);
  });
});
