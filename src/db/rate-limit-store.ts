/**
 * `rate_limit_windows` on SQLite (db/SCHEMA.md; the limiters are src/lib/rate-limit.ts): every instance on
 * one data dir adds to the same rows. One statement does a hit — `INSERT … ON CONFLICT DO UPDATE SET count =
 * count + n RETURNING count` — so two processes adding at once both count (SQLite serialises writers), and
 * Postgres takes the same statement. Prepared once: the statements are raw SQL on the connection, like the
 * audit writer's, because a hot-path sync may carry hundreds of keys.
 */
import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import type { RateLimitStore, WindowDelta } from "../lib/rate-limit";
import type { ChangeFeed } from "../lib/change-feed";
import type { Db } from "./client";
import { PgRateLimitStore } from "./pg/rate-limit-store";

/** The store of `db`'s engine (docs/architecture.md: Rate limits): both count into `rate_limit_windows`. */
export function createRateLimitStore(db: Db, changes?: Pick<ChangeFeed, "quietly">): RateLimitStore {
  // openPgStorage's `$client` is Bun's SQL pool at runtime, typed as bun:sqlite's Database (src/db/pg/client.ts).
  return db.engine === "postgres" ? new PgRateLimitStore(db.$client as unknown as SQL) : new SqliteRateLimitStore(db.$client, changes);
}

export class SqliteRateLimitStore implements RateLimitStore {
  private readonly addAll: (deltas: readonly WindowDelta[]) => number[];
  private readonly forgetKey: (key: string) => void;
  private readonly sweepBefore: (before: number) => number;

  /** `changes`: the feed whose `quietly` takes a sync's commit, so it does not empty the read caches (issue 19). */
  constructor(sqlite: Database, changes?: Pick<ChangeFeed, "quietly">) {
    const upsert = sqlite.prepare<{ count: number }, [string, number, number]>(
      `INSERT INTO rate_limit_windows (key, window_start, count) VALUES (?1, ?2, ?3)
       ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_windows.count + excluded.count
       RETURNING count`,
    );
    // One transaction for a whole sync: one write lock and one commit however many keys it carries.
    const addAll = sqlite.transaction((deltas: readonly WindowDelta[]) => deltas.map((d) => upsert.get(d.key, d.windowStart, d.hits)!.count));
    this.addAll = changes ? (deltas) => changes.quietly(() => addAll(deltas)) : addAll;
    const forget = sqlite.prepare<unknown, [string]>("DELETE FROM rate_limit_windows WHERE key = ?1");
    this.forgetKey = (key) => void forget.run(key);
    const sweep = sqlite.prepare<unknown, [number]>("DELETE FROM rate_limit_windows WHERE window_start < ?1");
    this.sweepBefore = (before) => sweep.run(before).changes;
  }

  async add(deltas: readonly WindowDelta[]): Promise<number[]> {
    return deltas.length === 0 ? [] : this.addAll(deltas);
  }

  async forget(key: string): Promise<void> {
    this.forgetKey(key);
  }

  async sweep(before: number): Promise<number> {
    return this.sweepBefore(before);
  }
}
