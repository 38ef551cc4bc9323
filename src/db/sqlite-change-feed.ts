/**
 * The change feed on SQLite (docs/architecture.md, "Change feed"). `version()` compares the wal-index
 * header (src/db/wal-index.ts) with the one seen last: a lock-free read of shared memory that sees the
 * commits of this connection, of other connections and of other processes such as the CLI, also across
 * checkpoints (a WAL reset changes the salts). Without a -shm map it falls back to `total_changes()`
 * (this connection) and `PRAGMA data_version` (everyone else), two small queries per call.
 *
 * Topics are exact or absent: an announcement names what changed only when the header says exactly one
 * transaction was committed since the previous observation, in the same WAL generation (that one is the
 * announcer's, JavaScript being single-threaded); otherwise — another process, an unannounced write of
 * ours in between, a checkpoint that reset the WAL — the change is "anything". Subscribers hear announced changes at once and everyone else's by a poll that
 * runs only while someone subscribes (one shared-memory read per tick).
 */
import type { Database, Statement } from "bun:sqlite";
import { ChangeLog, type Change, type ChangeFeed, type Topic } from "../lib/change-feed";
import { mapWalIndex, type WalIndex } from "./wal-index";

/** How often subscribers are told about commits nobody in this process announced (another process's). */
export const POLL_MS = 500;

export interface SqliteChangeFeedOptions {
  pollMs?: number;
  /** Where a subscriber's exception goes: it must not fail the write that announced the change. */
  onError?: (err: unknown) => void;
}

export class SqliteChangeFeed implements ChangeFeed {
  private current = 0;
  private readonly log = new ChangeLog();
  private wal: WalIndex | null;
  private seenChange = -1;
  private seenFrame = -1;
  private seenSalt = -1;
  private readonly ownChanges: Statement<{ n: number }, []> | null;
  /** This connection's rows changed so far: a quiet write that changed none committed nothing to absorb. */
  private readonly totalChanges: Statement<{ n: number }, []>;
  private readonly dataVersion: Statement<{ data_version: number }, []> | null;
  private listeners = new Set<(change: Change) => void>();
  private delivered = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(
    sqlite: Database,
    private readonly opts: SqliteChangeFeedOptions = {},
  ) {
    this.wal = mapWalIndex(sqlite);
    this.totalChanges = sqlite.query("SELECT total_changes() AS n");
    this.ownChanges = this.wal ? null : this.totalChanges;
    this.dataVersion = this.wal ? null : sqlite.query("PRAGMA data_version");
    this.observe();
  }

  version(): number {
    if (!this.closed) this.observe();
    return this.current;
  }

  changedSince(n: number): Change {
    return this.log.since(n, this.version());
  }

  subscribe(listener: (change: Change) => void): () => void {
    if (this.listeners.size === 0) this.delivered = this.version();
    this.listeners.add(listener);
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => this.deliver(), this.opts.pollMs ?? POLL_MS);
      this.timer.unref?.();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  announce(topics: Iterable<Topic>): void {
    if (this.closed) return;
    this.observe(new Set(topics));
    this.deliver();
  }

  /** Every process on this data dir sees the commit on its next `version()` (the shared `-shm` header): nothing to wait for. */
  announceAndWait(topics: Iterable<Topic>, _timeoutMs?: number): Promise<void> {
    this.announce(topics);
    return Promise.resolve();
  }

  quietly<T>(write: () => T): T {
    if (this.closed) return write();
    // Commits before this one move the version as usual; then exactly one more transaction is ours.
    this.observe();
    const before = this.totalChanges.get()!.n;
    const result = write();
    // A write that changed no row committed nothing: one more transaction would be someone else's.
    if (this.totalChanges.get()!.n === before) this.observe();
    else this.absorb();
    return result;
  }

  /** The wal-index read cannot fall behind: always exact. */
  healthy(): boolean {
    return true;
  }

  /**
   * Stops watching. Call it after the database connection closed: closing the wal-index descriptor drops
   * this process's locks on the -shm file, SQLite's included (src/db/wal-index.ts).
   */
  close(): void {
    this.closed = true;
    this.wal?.close();
    this.wal = null;
    this.listeners.clear();
    this.stopPolling();
  }

  /** Records a new version if anything committed since the last look; `announced` names it when provably alone. */
  private observe(announced?: ReadonlySet<Topic>): void {
    let alone = false;
    if (this.wal) {
      const h = this.wal.read();
      if (h.iChange === this.seenChange && h.mxFrame === this.seenFrame && h.salt1 === this.seenSalt) return;
      // One more transaction in the same WAL generation. `iChange` alone is not enough: another process
      // closing its connection may checkpoint and reset the WAL, rewriting the header with a lower count
      // (measured); a reset always changes the salts, and frames only grow within one generation.
      alone = this.seenChange >= 0 && ((h.iChange - this.seenChange) >>> 0) === 1 && h.salt1 === this.seenSalt && h.mxFrame > this.seenFrame;
      this.seenChange = h.iChange;
      this.seenFrame = h.mxFrame;
      this.seenSalt = h.salt1;
    } else {
      const own = this.ownChanges!.get()!.n;
      const others = this.dataVersion!.get()!.data_version;
      if (own === this.seenChange && others === this.seenFrame) return;
      this.seenChange = own;
      this.seenFrame = others;
    }
    this.current++;
    this.log.record(this.current, alone ? announced : undefined);
  }

  /**
   * After a quiet write: the header moved by exactly one transaction since `observe()` just before it, in the
   * same WAL generation — that one was the write's (JavaScript is single-threaded and the write synchronous),
   * so it is taken as seen without a new version. Anything else (another process committed in between, a WAL
   * reset, no -shm map and another connection's data_version moved) is an ordinary change.
   */
  private absorb(): void {
    if (this.wal) {
      const h = this.wal.read();
      const ours = this.seenChange >= 0 && ((h.iChange - this.seenChange) >>> 0) === 1 && h.salt1 === this.seenSalt && h.mxFrame > this.seenFrame;
      if (!ours) return this.observe();
      this.seenChange = h.iChange;
      this.seenFrame = h.mxFrame;
      return;
    }
    // Without the map: total_changes() counts this connection's rows, data_version everyone else's commits.
    if (this.dataVersion!.get()!.data_version !== this.seenFrame) return this.observe();
    this.seenChange = this.ownChanges!.get()!.n;
  }

  private deliver(): void {
    if (this.closed || this.listeners.size === 0) return;
    const change = this.changedSince(this.delivered);
    if (change.version === this.delivered) return;
    this.delivered = change.version;
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
