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
import { mapWalIndex, type WalIndex, type WalIndexHeader } from "./wal-index";

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
  /** `PRAGMA data_version`: moves when any other connection, of this process or another, has committed. */
  private readonly otherCommits: Statement<{ data_version: number }, []>;
  private listeners = new Set<(change: Change) => void>();
  private delivered = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(
    private readonly sqlite: Database,
    private readonly opts: SqliteChangeFeedOptions = {},
  ) {
    this.wal = mapWalIndex(sqlite);
    this.ownChanges = this.wal ? null : sqlite.query("SELECT total_changes() AS n");
    this.otherCommits = sqlite.query("PRAGMA data_version");
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

  uncommitted(): boolean {
    return this.sqlite.inTransaction;
  }

  quietly<T>(write: () => T): T {
    if (this.closed) return write();
    // The order matters (absorb): other connections' commits counted first, then the header observed — a
    // commit in between moves the header (seen as usual) and, being after the count, also the count.
    const others = this.otherCommits.get()!.data_version;
    this.observe();
    const result = write();
    this.absorb(others);
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
      alone = this.oneMoreTransaction(h);
      this.seenChange = h.iChange;
      this.seenFrame = h.mxFrame;
      this.seenSalt = h.salt1;
    } else {
      const own = this.ownChanges!.get()!.n;
      const others = this.otherCommits.get()!.data_version;
      if (own === this.seenChange && others === this.seenFrame) return;
      this.seenChange = own;
      this.seenFrame = others;
    }
    this.current++;
    this.log.record(this.current, alone ? announced : undefined);
  }

  /**
   * After a quiet write: the header moved by exactly one transaction since `observe()` just before it, in the
   * same WAL generation, and no other connection of any process committed since `othersBefore` was counted
   * (`PRAGMA data_version` moves for exactly those, and is read after the header here, so a commit that made it
   * into the header read is counted) — so that transaction was the write's, and is taken as seen without a new
   * version. Anything else is an ordinary change. Counting other connections, rather than asking whether the
   * write changed rows, also holds for a write that changed rows yet committed no frame (an UPDATE to identical
   * values), while another process's single commit landed in the same moment.
   */
  private absorb(othersBefore: number): void {
    if (this.wal) {
      const h = this.wal.read();
      const alone = this.otherCommits.get()!.data_version === othersBefore;
      const ours = alone && this.oneMoreTransaction(h);
      if (!ours) return this.observe();
      this.seenChange = h.iChange;
      this.seenFrame = h.mxFrame;
      return;
    }
    // Without the map: total_changes() counts this connection's rows, data_version everyone else's commits.
    if (this.otherCommits.get()!.data_version !== othersBefore) return this.observe();
    this.seenChange = this.ownChanges!.get()!.n;
  }

  /** The header is exactly one commit past the one seen last, in the same WAL generation (see `observe`). */
  private oneMoreTransaction(h: WalIndexHeader): boolean {
    return this.seenChange >= 0 && ((h.iChange - this.seenChange) >>> 0) === 1 && h.salt1 === this.seenSalt && h.mxFrame > this.seenFrame;
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
