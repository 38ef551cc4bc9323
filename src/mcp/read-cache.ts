/**
 * A read-through cache for the rows every MCP request needs (project, API key + creator's role). On this
 * file system each SQLite read transaction in WAL mode costs ~15–50 µs of shared-memory locking, which
 * halved throughput (measured). The cache is dropped whenever a connection has committed since it was
 * filled: `total_changes()` counts this process's writes (≈0.2 µs, checked on every request, so a
 * revocation or role change made here acts on the very next request); `PRAGMA data_version` moves when
 * another process such as the CLI commits — it costs a read transaction itself, so it is checked at
 * most every EXTERNAL_CHECK_MS: a change from another process acts within that bound.
 */
import type { Database, Statement } from "bun:sqlite";

export const EXTERNAL_CHECK_MS = 10;
/** Unknown slugs and bogus keys are cached too (as misses): a scanner must not grow the map without bound. */
const MAX_ENTRIES = 10_000;

export class ReadCache {
  private entries = new Map<string, unknown>();
  private own = -1;
  private external = -1;
  private externalCheckedAt = -Infinity;
  private readonly totalChanges: Statement<{ n: number }, []>;
  private readonly dataVersion: Statement<{ data_version: number }, []>;

  constructor(sqlite: Database) {
    this.totalChanges = sqlite.query("SELECT total_changes() AS n");
    this.dataVersion = sqlite.query("PRAGMA data_version");
  }

  /** Call once per request before `get`: drops everything if the database changed. */
  revalidate(now = performance.now()): void {
    const own = this.totalChanges.get()!.n;
    let external = this.external;
    if (now - this.externalCheckedAt >= EXTERNAL_CHECK_MS) {
      external = this.dataVersion.get()!.data_version;
      this.externalCheckedAt = now;
    }
    if (own !== this.own || external !== this.external) {
      this.entries.clear();
      this.own = own;
      this.external = external;
    }
  }

  get<T>(key: string, load: () => T): T {
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = load();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
