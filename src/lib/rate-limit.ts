/**
 * Fixed-window rate limiter in memory (one process serves one data dir). Used for sign-in, DCR,
 * public projects per IP and principals; exceeding it throws RateLimitError (429 + Retry-After).
 */
import { RateLimitError } from "../errors";

export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    /** Allowed hits per window. */
    readonly limit: number,
    readonly windowMs: number,
    private readonly what = "requests",
  ) {}

  /** Counts a hit for `key` at `now` (the caller's `deps.clock`); throws RateLimitError when over the limit. Returns the hits left. */
  hit(key: string, now: number): number {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count > this.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
      throw new RateLimitError(`Too many ${this.what}; try again in ${retryAfter} s.`, retryAfter, this.limit);
    }
    return this.limit - w.count;
  }

  /** Forgets a key (e.g. after a successful sign-in). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
