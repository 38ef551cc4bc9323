/**
 * A read-through cache for the rows every MCP request needs (project, API key + creator's role). On this
 * file system each SQLite read transaction in WAL mode costs ~15–50 µs of shared-memory locking, which
 * halved throughput (measured). The cache is exact, not time-based: it is dropped whenever any
 * connection has committed since it was filled — `total_changes()` counts this connection's writes
 * (≈0.2 µs), `PRAGMA data_version` moves when another connection, such as the CLI, commits — so a
 * revocation or role change still acts on the very next request.
 */
import type { Database, Statement } from "bun:sqlite";

export class ReadCache {
  private entries = new Map<string, unknown>();
  private own = -1;
  private external = -1;
  private readonly totalChanges: Statement<{ n: number }, []>;
  private readonly dataVersion: Statement<{ data_version: number }, []>;

  constructor(sqlite: Database) {
    this.totalChanges = sqlite.query("SELECT total_changes() AS n");
    this.dataVersion = sqlite.query("PRAGMA data_version");
  }

  /** Call once per request before `get`: drops everything if the database changed. */
  revalidate(): void {
    const own = this.totalChanges.get()!.n;
    const external = this.dataVersion.get()!.data_version;
    if (own !== this.own || external !== this.external) {
      this.entries.clear();
      this.own = own;
      this.external = external;
    }
  }

  get<T>(key: string, load: () => T): T {
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = load();
    this.entries.set(key, value);
    return value;
  }
}
