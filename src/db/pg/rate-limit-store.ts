/**
 * `rate_limit_windows` on Postgres (db/SCHEMA.md; docs/architecture.md: Rate limits): the twin of
 * src/db/rate-limit-store.ts, with the same statement. `INSERT … ON CONFLICT DO UPDATE SET count = count + n
 * RETURNING count` takes the row lock of its window, so two instances adding at once both count and each
 * reads back a total that includes the other's hits. A sync's deltas go in one transaction (one commit
 * however many keys it carries), one upsert each, in order: the caller matches totals to deltas by position.
 *
 * Raw SQL on Bun's pool (`db.$client` of `openPgStorage`), like the SQLite store, so both stores run the same
 * text; parameters are numbered (`$1`) because Postgres has no `?1`.
 */
import type { SQL } from "bun";
import type { RateLimitStore, WindowDelta } from "../../lib/rate-limit";

const UPSERT = `INSERT INTO rate_limit_windows (key, window_start, count) VALUES ($1, $2, $3)
  ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_windows.count + excluded.count
  RETURNING count`;

export class PgRateLimitStore implements RateLimitStore {
  constructor(private readonly sql: SQL) {}

  async add(deltas: readonly WindowDelta[]): Promise<number[]> {
    if (deltas.length === 0) return [];
    return this.sql.begin(async (tx) => {
      const counts: number[] = [];
      for (const d of deltas) {
        const rows = (await tx.unsafe(UPSERT, [d.key, d.windowStart, d.hits])) as Array<{ count: number }>;
        counts.push(Number(rows[0]!.count));
      }
      return counts;
    });
  }

  async forget(key: string): Promise<void> {
    await this.sql.unsafe("DELETE FROM rate_limit_windows WHERE key = $1", [key]);
  }

  async sweep(before: number): Promise<number> {
    const result = (await this.sql.unsafe("DELETE FROM rate_limit_windows WHERE window_start < $1", [before])) as { count: number };
    return Number(result.count);
  }
}
