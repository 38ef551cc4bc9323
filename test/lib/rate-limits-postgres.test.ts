/**
 * The shared limiters on Postgres (src/db/pg/rate-limit-store.ts), mirroring test/lib/rate-limits.test.ts:
 * two pools on one database stand for two instances. Time is a fake clock; syncs are called by the test.
 */
import { afterEach, expect, test } from "bun:test";
import type { SQL } from "bun";
import type { Db } from "../../src/db/client";
import { openPgStorage } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import { PgRateLimitStore } from "../../src/db/pg/rate-limit-store";
import { createRateLimitStore } from "../../src/db/rate-limit-store";
import { RateLimitError } from "../../src/errors";
import { createLogger } from "../../src/lib/log";
import { RateLimits } from "../../src/lib/rate-limits";
import type { LimitSpec } from "../../src/lib/rate-limit";
import { describePostgres } from "../fixtures/postgres";

const MINUTE = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);
const spec = (limit: number): LimitSpec => ({ name: "test", limit, windowMs: MINUTE, what: "test hits" });
const pool = (db: Db) => db.$client as unknown as SQL;

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

describePostgres("shared rate limits on Postgres", (pg) => {
  let dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs) await pool(db).close();
    dbs = [];
  });

  /** A fresh migrated database per test: the tests count the same keys in the same windows. */
  async function freshDatabase(): Promise<string> {
    const url = await pg.createDatabase();
    const db = openPgStorage(url, { max: 1 });
    await migratePg(db.$client as never);
    await pool(db).close();
    return url;
  }

  /** One "instance": its own pool on the shared database, its own limiters, a clock the test moves. */
  function instance(at: string, clock: { t: number }) {
    const db = openPgStorage(at, { max: 2 });
    dbs.push(db);
    const store = createRateLimitStore(db);
    return { db, store, limits: new RateLimits(store, { now: () => clock.t }, createLogger("silent")) };
  }

  test("the factory picks the Postgres store for a Postgres handle", async () => {
    const at = await freshDatabase();
    expect(instance(at, { t: T0 }).store).toBeInstanceOf(PgRateLimitStore);
  });

  test("attack: two instances adding to the same windows at once, in opposite orders, both count and never deadlock", async () => {
    const at = await freshDatabase();
    const a = instance(at, { t: T0 }).store;
    const b = instance(at, { t: T0 }).store;
    const k = { key: "k", windowStart: T0, hits: 1 };
    const j = { key: "j", windowStart: T0, hits: 2 };
    const adds = Array.from({ length: 40 }, (_, i) => (i % 2 ? a.add([k, j]) : b.add([j, k]).then(([tj, tk]) => [tk!, tj!])));
    const totals = await Promise.all(adds);
    // Every sync saw a distinct total of "k" (row lock per window), and the last is all 40.
    expect(new Set(totals.map((t) => t[0])).size).toBe(40);
    expect(Math.max(...totals.map((t) => t[0]!))).toBe(40);
    expect(Math.max(...totals.map((t) => t[1]!))).toBe(80);
    expect(await a.add([])).toEqual([]);
  });

  test("one sync of many windows answers each delta's total in order, a window named twice added once with the sum", async () => {
    const at = await freshDatabase();
    const store = instance(at, { t: T0 }).store;
    expect(await store.add([{ key: "z", windowStart: T0, hits: 3 }])).toEqual([3]);
    const deltas = [
      { key: "z", windowStart: T0, hits: 1 },
      ...Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, windowStart: T0 + (i % 2) * MINUTE, hits: i + 1 })),
      { key: "z", windowStart: T0 + MINUTE, hits: 5 },
      { key: "z", windowStart: T0, hits: 2 },
    ];
    const totals = await store.add(deltas);
    expect(totals).toEqual([6, ...Array.from({ length: 300 }, (_, i) => i + 1), 5, 6]);
    expect(await store.add([{ key: "k7", windowStart: T0 + MINUTE, hits: 1 }, { key: "k7", windowStart: T0, hits: 1 }])).toEqual([9, 1]);
  });

  test("attack: two instances counting one key allow exactly the limit between them", async () => {
    const at = await freshDatabase();
    const clock = { t: T0 + 5_000 };
    const a = instance(at, clock).limits.exact(spec(7));
    const b = instance(at, clock).limits.exact(spec(7));
    const results: boolean[] = [];
    for (let i = 0; i < 12; i++) results.push(await (i % 2 ? a : b).hit("203.0.113.9", clock.t).then(() => true, () => false));
    expect(results.filter(Boolean)).toHaveLength(7);
    expect(results.slice(7).every((r) => !r)).toBe(true);
    const refused = await a.hit("203.0.113.9", clock.t).catch((e) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).retryAfterSeconds).toBe(55);
  });

  test("a window ends when the clock moves past it, and reset forgets a key", async () => {
    const at = await freshDatabase();
    const clock = { t: T0 };
    const a = instance(at, clock).limits.exact(spec(2));
    await a.hit("k", clock.t);
    await a.hit("k", clock.t);
    await expect(a.hit("k", clock.t)).rejects.toBeInstanceOf(RateLimitError);
    clock.t += MINUTE;
    expect(await a.hit("k", clock.t)).toBe(1);
    await a.reset("k");
    expect(await a.hit("k", clock.t)).toBe(1);
  });

  test("attack: two hot-path instances overshoot by at most what each allowed since its last sync, then both refuse", async () => {
    const at = await freshDatabase();
    const clock = { t: T0 };
    const a = instance(at, clock);
    const b = instance(at, clock);
    const la = a.limits.hotPath(spec(20));
    const lb = b.limits.hotPath(spec(20));
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
    expect(allowed(() => lb.hit("other", clock.t), 1)).toBe(1);
  });

  test("a failed sync keeps the hits, and the next sync writes them", async () => {
    const at = await freshDatabase();
    const clock = { t: T0 };
    const i = instance(at, clock);
    const l = i.limits.hotPath(spec(100));
    allowed(() => l.hit("key", clock.t), 3);
    await pool(i.db).unsafe("ALTER TABLE rate_limit_windows RENAME TO rate_limit_windows_away");
    await expect(i.limits.sync()).rejects.toThrow();
    await pool(i.db).unsafe("ALTER TABLE rate_limit_windows_away RENAME TO rate_limit_windows");
    allowed(() => l.hit("key", clock.t), 2);
    await i.limits.sync();
    expect(await pool(i.db).unsafe("SELECT key, window_start::float8 AS w, count FROM rate_limit_windows")).toEqual([
      { key: expect.stringMatching(/^test:[0-9a-f]{64}$/), w: T0, count: 5 },
    ]);
  });

  test("the sweep deletes windows older than the longest window and keeps the current ones", async () => {
    const at = await freshDatabase();
    const clock = { t: T0 };
    const i = instance(at, clock);
    const l = i.limits.hotPath(spec(100));
    i.limits.exact({ name: "long", limit: 5, windowMs: 15 * MINUTE, what: "x" });
    l.hit("old", clock.t);
    await i.limits.sync();
    clock.t += 16 * MINUTE;
    l.hit("new", clock.t);
    await i.limits.sync();
    expect(await i.limits.sweep()).toBe(1);
    expect(await pool(i.db).unsafe("SELECT window_start::float8 AS w FROM rate_limit_windows")).toEqual([{ w: T0 + 16 * MINUTE }]);
  });
});
