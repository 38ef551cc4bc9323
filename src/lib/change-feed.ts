/**
 * The change feed: one way for every cache in this process to learn that shared state changed, whoever
 * changed it — a request in this process, another connection, or another process on the same data (the
 * CLI today, another instance behind a load balancer tomorrow). See docs/architecture.md, "Change feed".
 *
 * A cache remembers the `version()` it was filled at and drops (or re-reads) what it holds once the
 * version moved; a watcher that must act on changes (send `list_changed`) subscribes. Versions are
 * opaque, increasing numbers of one feed instance: compare them only with the same feed.
 *
 * Implementations:
 * - SQLite (src/db/sqlite-change-feed.ts): the wal-index header that every commit of every process
 *   rewrites, read from a shared map of the `-shm` file — exact and lock-free on every call.
 * - Postgres (src/db/pg/change-feed.ts): `announce()` adds a row to a change-sequence table and NOTIFYs
 *   every instance with its sequence and topics; each instance's listener moves its `version()` (still a
 *   field read) and acknowledges, so `announceAndWait()` can tell a writer that every live instance has
 *   applied the change. Nothing above this interface changes.
 */
import { AppError } from "../errors";

/** Areas of shared state a writer can name, so a subscriber can skip changes that cannot concern it. */
export const TOPICS = ["tools", "members", "grants", "sessions", "apikeys", "keys"] as const;
export type Topic = (typeof TOPICS)[number];

export interface Change {
  /** The feed's version after this change. */
  version: number;
  /**
   * Exactly which areas changed, when the feed can vouch for it; undefined means anything may have
   * changed (another process wrote, or a write nobody announced). Never a guess: skip a change only
   * when `topics` is set and lacks yours.
   */
  topics?: ReadonlySet<Topic>;
  /**
   * True when every change merged here was announced by this process, so its own listeners (the event bus)
   * heard of it already; false when another process or instance made one of them — even with known topics
   * (Postgres carries other instances' topics), a watcher must look at what changed.
   */
  here?: boolean;
}

export interface ChangeFeed {
  /**
   * The current version: any commit visible to this process since an earlier `version()` call makes this
   * one larger. Cheap enough for every request (the MCP hot path calls it several times).
   */
  version(): number;
  /** The current version and what changed since version `n`, as far as the feed knows. */
  changedSince(n: number): Change;
  /**
   * Calls `listener` after changes: at once for writes announced in this process, within a short poll
   * interval for anyone else's. Consecutive changes may arrive as one. Returns the unsubscribe function.
   */
  subscribe(listener: (change: Change) => void): () => void;
  /**
   * Tells the feed what this process just committed, so subscribers hear of it now (not at the next
   * poll) and may learn which areas it touched.
   */
  announce(topics: Iterable<Topic>): void;
  /**
   * `announce`, then resolves once every live process sharing the database has applied the change (moved
   * its version, run its subscribers). Rejects with ChangeUnconfirmedError after `timeoutMs` or when the
   * database cannot be reached: the write stays committed, but the caller must not report it as enforced
   * everywhere. A single-process engine (SQLite: other processes read the same `-shm` file on their next
   * `version()`) resolves at once.
   */
  announceAndWait(topics: Iterable<Topic>, timeoutMs: number): Promise<void>;
  /**
   * Runs `write`, a synchronous commit of rows no cache reads (audit rows and their chain heads, rate-limit
   * windows), so that this commit alone does not move `version()`: otherwise the durable audit writer's commit
   * at every turn of the event loop (issue 18) would empty every read cache as often, and each MCP request would
   * read its project, credential and grant from the database again (issue 19: measured in the profile). Only
   * the one transaction `write` commits is absorbed; a commit by anyone else before or meanwhile still moves
   * the version. Postgres needs nothing: such writes are never announced there.
   */
  quietly<T>(write: () => T): T;
  /**
   * True while a read on this process's connection may see writes not committed yet: SQLite shares one
   * connection between every request, so a read made while another request's transaction is open sees its
   * uncommitted rows — a cache must not keep such a read (the transaction may roll back, and no commit would
   * then tell the cache). Postgres: always false (a transaction holds its own pooled connection).
   */
  uncommitted(): boolean;
  /**
   * False while this process may be missing changes (Postgres: its listener or its heartbeat failed), so
   * its caches cannot be trusted: the request path fails closed (503) instead of serving from them.
   */
  healthy(): boolean;
  /** Stops watching (before the database closes); later calls see no further changes. Postgres: resolves once its listener is gone. */
  close(): void | Promise<void>;
}

/**
 * The recent changes a feed remembers for `changedSince` (both implementations keep the same bounded log):
 * a version older than the oldest entry gets "anything changed".
 */
export class ChangeLog {
  private entries: Array<{ version: number; topics: ReadonlySet<Topic> | undefined; here: boolean }> = [];

  constructor(private readonly max = 64) {}

  /** Remembers that `version` changed `topics` (undefined: anything); `here`: this process announced it. */
  record(version: number, topics: ReadonlySet<Topic> | undefined, here = topics !== undefined): void {
    this.entries.push({ version, topics, here });
    if (this.entries.length > this.max) this.entries.shift();
  }

  /** What changed after version `n`, the feed being at `version` now. */
  since(n: number, version: number): Change {
    if (n >= version) return { version, topics: new Set(), here: true };
    const first = this.entries[0];
    if (!first || n + 1 < first.version) return { version, here: false };
    let topics: ReadonlySet<Topic> | undefined = new Set();
    let here = true;
    for (const e of this.entries) {
      if (e.version <= n) continue;
      topics = mergeTopics(topics, e.topics);
      here &&= e.here;
    }
    return { version, topics, here };
  }
}

/** The union of two changes' topics; unknown (undefined) wins. */
export function mergeTopics(a: ReadonlySet<Topic> | undefined, b: ReadonlySet<Topic> | undefined): ReadonlySet<Topic> | undefined {
  if (!a || !b) return undefined;
  return new Set([...a, ...b]);
}

/** True when a change may concern `topic` (unknown changes concern everyone). */
export function concerns(change: Change, ...topics: Topic[]): boolean {
  return !change.topics || topics.some((t) => change.topics!.has(t));
}

/**
 * A change was committed and announced, but not every instance confirmed it applied it in time (or the
 * database became unreachable): enforcement elsewhere is not confirmed, so the response is a 503 rather than
 * a success (docs/architecture.md: Storage, "Postgres change feed").
 */
export class ChangeUnconfirmedError extends AppError {
  override readonly status = 503;
  override readonly code = "change_unconfirmed";
}
