/**
 * The hot-path limiter (principals and public projects per IP: every MCP request), shared between instances
 * without a database write per request (docs/architecture.md: Rate limits). Each instance counts in memory;
 * a sync — every SYNC_INTERVAL_MS while the server runs (./rate-limits.ts) and once more at shutdown — adds
 * its unsynced hits to `rate_limit_windows` in one transaction and reads back each window's total over
 * every instance. A hit is refused when the total at the last sync + this instance's unsynced hits exceed
 * the limit.
 *
 * The bound: one instance alone is exact (the table holds only its own synced hits). With N instances a key
 * can overshoot by what the other instances allowed since they last synced — at most N × (hits per sync
 * interval on one instance) — and by nothing once every instance has synced a full window.
 */
import { refusal, storeKey, windowOf, type LimitSpec, type WindowDelta } from "./rate-limit";

/** How often a running server syncs its counts (issue 15: ~100–200 ms). */
export const SYNC_INTERVAL_MS = 100;

/** Hits taken for one sync, and the entries they came from (same order). */
export interface PendingSync {
  entries: Entry[];
  deltas: WindowDelta[];
}

/** One key's current window on this instance. */
interface Entry {
  readonly windowStart: number;
  readonly storeKey: string;
  /** The window's total over every instance, as of the last sync that carried this entry. */
  global: number;
  /** Hits counted here and not yet in the store. */
  local: number;
  /** In the sync queue (has unsynced hits). */
  queued: boolean;
}

export class SyncedRateLimiter {
  private readonly entries = new Map<string, Entry>();
  /** Entries with unsynced hits, old windows included until their hits are written. */
  private queue: Entry[] = [];

  constructor(readonly spec: LimitSpec) {}

  get limit(): number {
    return this.spec.limit;
  }

  /** Counts a hit for `key` at `now`; throws RateLimitError when over the limit. No I/O: this runs per request. */
  hit(key: string, now: number): number {
    const windowStart = windowOf(now, this.spec.windowMs);
    let entry = this.entries.get(key);
    if (entry === undefined || entry.windowStart !== windowStart) {
      // A new window: the last one's unsynced hits stay queued on their own entry.
      entry = { windowStart, storeKey: storeKey(this.spec.name, key), global: 0, local: 0, queued: false };
      this.entries.set(key, entry);
    }
    entry.local++;
    if (!entry.queued) {
      entry.queued = true;
      this.queue.push(entry);
    }
    // Refused hits count too, as they always have: a client hammering past the limit stays refused.
    const count = entry.global + entry.local;
    if (count > this.spec.limit) throw refusal(this.spec, windowStart, now);
    return this.spec.limit - count;
  }

  /** True when hits wait to be synced. */
  get dirty(): boolean {
    return this.queue.length > 0;
  }

  /**
   * Takes the unsynced hits for the store (./rate-limits.ts writes every limiter's in one transaction).
   * Hits arriving while the store answers stay local and go with the next sync.
   */
  take(): PendingSync | null {
    if (this.queue.length === 0) return null;
    const entries = this.queue;
    this.queue = [];
    for (const e of entries) e.queued = false;
    return { entries, deltas: entries.map((e) => ({ key: e.storeKey, windowStart: e.windowStart, hits: e.local })) };
  }

  /** The store took the hits of `pending`: `totals` are their windows' totals over every instance. */
  settle(pending: PendingSync, totals: readonly number[]): void {
    for (let i = 0; i < pending.entries.length; i++) {
      const e = pending.entries[i]!;
      e.global = totals[i]!;
      e.local -= pending.deltas[i]!.hits;
    }
  }

  /** The store failed: every hit of `pending` stays queued for the next sync. */
  restore(pending: PendingSync): void {
    for (const e of pending.entries) {
      if (!e.queued) {
        e.queued = true;
        this.queue.push(e);
      }
    }
  }

  /** Drops the entries of windows over at `now` whose hits are synced (memory stays bounded by active keys). */
  forgetEnded(now: number): void {
    for (const [key, e] of this.entries) if (e.windowStart + this.spec.windowMs <= now && !e.queued) this.entries.delete(key);
  }
}
