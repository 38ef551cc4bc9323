/**
 * `rate_limit_windows` on Postgres (db/SCHEMA.md; docs/architecture.md: Rate limits): the twin of
 * src/db/rate-limit-store.ts. A hit is the same statement — `INSERT … ON CONFLICT DO UPDATE SET count =
 * count + n RETURNING count` — which takes the row lock of its window, so two instances adding at once both
 * count and each reads back a total that includes the other's hits.
 *
 * A hot-path sync (many keys every 100 ms) is ONE such statement over `unnest` of three arrays, not one per
 * key: measured on loopback, 500 keys cost ≈ 55 ms as 500 upserts in a transaction (half the sync interval)
 * and ≈ 5 ms as one statement. Its rows are sorted by (key, window) first, so every instance locks windows in
 * the same order and two syncs touching the same keys wait for each other instead of deadlocking; a window
 * named twice in one sync is added once with the sum (one statement may not update a row twice).
 *
 * Raw SQL on Bun's pool (`db.$client` of `openPgStorage`), like the SQLite store's statements.
 */
import type { SQL } from "bun";
import type { RateLimitStore, WindowDelta } from "../../lib/rate-limit";

const UPSERT = `INSERT INTO rate_limit_windows (key, window_start, count) VALUES ($1, $2, $3)
  ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_windows.count + excluded.count
  RETURNING count`;

const UPSERT_MANY = `INSERT INTO rate_limit_windows (key, window_start, count)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[])
  ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_windows.count + excluded.count
  RETURNING key, window_start, count`;

const windowId = (key: string, windowStart: number | string) => `${windowStart}|${key}`;

export class PgRateLimitStore implements RateLimitStore {
  constructor(private readonly sql: SQL) {}

  async add(deltas: readonly WindowDelta[]): Promise<number[]> {
    if (deltas.length === 0) return [];
    if (deltas.length === 1) {
      const d = deltas[0]!;
      const [row] = (await this.sql.unsafe(UPSERT, [d.key, d.windowStart, d.hits])) as Array<{ count: number }>;
      return [Number(row!.count)];
    }
    const sums = new Map<string, WindowDelta>();
    for (const d of deltas) {
      const id = windowId(d.key, d.windowStart);
      const seen = sums.get(id);
      sums.set(id, seen ? { ...seen, hits: seen.hits + d.hits } : d);
    }
    const rows = [...sums.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.windowStart - b.windowStart));
    const result = (await this.sql.unsafe(UPSERT_MANY, [rows.map((d) => d.key), rows.map((d) => d.windowStart), rows.map((d) => d.hits)])) as Array<{
      key: string;
      window_start: number | string;
      count: number;
    }>;
    // bigint comes back as a string: the map is keyed by the number's decimal form on both sides.
    const totals = new Map(result.map((r) => [windowId(r.key, Number(r.window_start)), Number(r.count)]));
    return deltas.map((d) => totals.get(windowId(d.key, d.windowStart))!);
  }

  async forget(key: string): Promise<void> {
    await this.sql.unsafe("DELETE FROM rate_limit_windows WHERE key = $1", [key]);
  }

  async sweep(before: number): Promise<number> {
    const result = (await this.sql.unsafe("DELETE FROM rate_limit_windows WHERE window_start < $1", [before])) as { count: number };
    return Number(result.count);
  }
}
