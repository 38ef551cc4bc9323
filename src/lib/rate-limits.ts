/**
 * Every rate limiter of one app on one store (`deps.rateLimits`, docs/architecture.md: Rate limits): it makes
 * the limiters, and while the server runs (`start()`, from `createApp`) it syncs the hot-path limiters
 * every SYNC_INTERVAL_MS and sweeps windows no limiter can still be counting. `close()` (a shutdown hook)
 * stops the timer and syncs once more, so a graceful stop hands its last hits to the other instances and to
 * the next start — a restart does not reset a window.
 */
import type { Clock } from "./clock";
import type { Logger } from "./log";
import { RateLimiter, type LimitSpec, type RateLimitStore } from "./rate-limit";
import { SYNC_INTERVAL_MS, SyncedRateLimiter, type PendingSync } from "./synced-rate-limit";

/** How often old windows are deleted: rows are tiny and a window is at most minutes long. */
export const SWEEP_INTERVAL_MS = 5 * 60_000;

export class RateLimits {
  private readonly synced: SyncedRateLimiter[] = [];
  private readonly names = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private syncing: Promise<void> | null = null;
  private lastSweep: number;

  constructor(
    readonly store: RateLimitStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.lastSweep = clock.now();
  }

  /** An exact limiter (a store write per hit): for paths that are rare and write anyway. */
  exact(spec: LimitSpec): RateLimiter {
    this.register(spec);
    return new RateLimiter(this.store, spec);
  }

  /** A limiter counted in memory and synced in the background: for the per-request hot path. */
  hotPath(spec: LimitSpec): SyncedRateLimiter {
    this.register(spec);
    const limiter = new SyncedRateLimiter(spec);
    this.synced.push(limiter);
    return limiter;
  }

  /** Starts the background sync and sweep (the running server); idempotent. The timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), SYNC_INTERVAL_MS);
    this.timer.unref?.();
  }

  /** Syncs every hot-path limiter's unsynced hits now (one sync at a time; a caller during one waits for it and runs another). */
  async sync(): Promise<void> {
    while (this.syncing) await this.syncing;
    if (!this.synced.some((l) => l.dirty)) return;
    this.syncing = this.syncAll().finally(() => (this.syncing = null));
    await this.syncing;
  }

  /** Deletes windows that started before the longest window; returns how many. */
  async sweep(now = this.clock.now()): Promise<number> {
    this.lastSweep = now;
    for (const l of this.synced) l.forgetEnded(now);
    return this.store.sweep(now - this.longestWindowMs());
  }

  /** Stops the background work and syncs the last hits (a shutdown hook, before the database closes). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.sync();
    } catch (err) {
      this.log.error({ err }, "rate-limit counts could not be synced at shutdown");
    }
  }

  private async syncAll(): Promise<void> {
    // Every limiter's hits in one store call, one transaction; on failure they stay queued for the next sync.
    const taken = this.synced.map((l) => [l, l.take()] as const).filter((t): t is readonly [SyncedRateLimiter, PendingSync] => t[1] !== null);
    let totals: number[];
    try {
      totals = await this.store.add(taken.flatMap(([, p]) => p.deltas));
    } catch (err) {
      for (const [l, p] of taken) l.restore(p);
      throw err;
    }
    let at = 0;
    for (const [l, p] of taken) {
      l.settle(p, totals.slice(at, at + p.deltas.length));
      at += p.deltas.length;
    }
  }

  private async tick(): Promise<void> {
    try {
      if (!this.syncing) await this.sync();
      const now = this.clock.now();
      if (now - this.lastSweep >= SWEEP_INTERVAL_MS) await this.sweep(now);
    } catch (err) {
      this.log.error({ err }, "rate-limit sync failed; the counts stay local until the next one");
    }
  }

  private register(spec: LimitSpec): void {
    // Two limiters of one name share rows (a test's own SignIn beside the app's): their windows must agree.
    const windowMs = this.names.get(spec.name);
    if (windowMs !== undefined && windowMs !== spec.windowMs) throw new Error(`rate limiter ${spec.name} registered with two windows`);
    this.names.set(spec.name, spec.windowMs);
  }

  private longestWindowMs(): number {
    return Math.max(60_000, ...this.names.values());
  }
}
