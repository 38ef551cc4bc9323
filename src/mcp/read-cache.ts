/**
 * A read-through cache for the rows every MCP request needs (project, API key + creator's role, grant).
 * On this file system each SQLite read transaction in WAL mode costs ~5–50 µs of file locking (two
 * fcntl calls), which halved throughput (measured). The cache is exact, not time-based: it is dropped
 * whenever any connection — this process or another one such as the CLI — has committed since it was
 * filled, so a revocation or role change acts on the very next request.
 *
 * Detecting commits costs no lock: in WAL mode every commit rewrites the wal-index header at the start of
 * the `-shm` file (https://sqlite.org/walformat.html §2.1: `iChange` counts transactions, `mxFrame` and
 * the salts move with every commit and every WAL reset), and that file is memory-mapped by every
 * connection, so reading it from our own shared map takes nanoseconds and sees every process's commits.
 * Without a `-shm` file (":memory:", or a platform where mapping fails) it falls back to
 * `total_changes()` (this connection) and `PRAGMA data_version` (others) on every revalidate.
 */
import type { Database, Statement } from "bun:sqlite";

/** Unknown slugs and bogus keys are cached too (as misses): a scanner must not grow the map without bound. */
const MAX_ENTRIES = 10_000;

/** Byte offsets in the first wal-index header copy. Fields are in native byte order; we only compare them. */
const I_CHANGE = 8;
const MX_FRAME = 16;
const SALT_1 = 32;

/** The wal-index header of an open WAL database, through a shared map of its -shm file; null when unavailable. */
function mapWalIndex(sqlite: Database): DataView | null {
  const file = sqlite.filename;
  if (!file || file === ":memory:") return null;
  try {
    const map = Bun.mmap(`${file}-shm`, { shared: true });
    return map.byteLength >= 48 ? new DataView(map.buffer, map.byteOffset, 48) : null;
  } catch {
    return null;
  }
}

export class ReadCache {
  private entries = new Map<string, unknown>();
  private seen: [number, number, number] = [-1, -1, -1];
  private walIndex: DataView | null;
  private readonly totalChanges: Statement<{ n: number }, []>;
  private readonly dataVersion: Statement<{ data_version: number }, []>;

  constructor(sqlite: Database) {
    this.totalChanges = sqlite.query("SELECT total_changes() AS n");
    this.dataVersion = sqlite.query("PRAGMA data_version");
    // The -shm file exists once the database has been read in WAL mode.
    this.dataVersion.get();
    this.walIndex = mapWalIndex(sqlite);
  }

  /** Drops everything if any connection committed since the entries were read. */
  revalidate(): void {
    const w = this.walIndex;
    if (w) this.observe(w.getUint32(I_CHANGE, true), w.getUint32(MX_FRAME, true), w.getUint32(SALT_1, true));
    else this.observe(this.totalChanges.get()!.n, this.dataVersion.get()!.data_version, 0);
  }

  /**
   * The cached value, or `load()`'s (then cached). Checks for commits first — free with the wal-index map,
   * this connection's own writes otherwise — so a change committed since revalidate() is never missed.
   */
  get<T>(key: string, load: () => T): T {
    if (this.walIndex) this.revalidate();
    else this.observe(this.totalChanges.get()!.n, this.seen[1], 0);
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = load();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  /**
   * Stops reading the map (before the database closes): once no connection of ours holds the file, the
   * next process to open it may truncate the -shm file, and reading a truncated map would crash us.
   */
  close(): void {
    this.walIndex = null;
    this.entries.clear();
  }

  private observe(a: number, b: number, c: number): void {
    const seen = this.seen;
    if (a === seen[0] && b === seen[1] && c === seen[2]) return;
    this.entries.clear();
    this.seen = [a, b, c];
  }
}
