/**
 * Rate limits shared by every instance on one database (issue 15: an attacker must not multiply a limit by
 * the number of instances; docs/architecture.md: Rate limits). Counts live in `rate_limit_windows` (db/SCHEMA.md),
 * one row per key and fixed window. Windows are aligned to the epoch (`windowOf`), so every instance agrees
 * on which window a hit falls into without talking to the others; like any fixed window, a burst that
 * straddles a boundary can reach twice the limit in a short span, as it could before windows were shared.
 *
 * Two kinds of limiter, one refusal (`RateLimitError`, 429 + Retry-After):
 * - `RateLimiter` (this file) is exact: each hit is one upsert that returns the window's total. For the
 *   low-rate paths that write to the database anyway — sign-in, registration, CIMD fetches, authorize.
 * - `SyncedRateLimiter` (./synced-rate-limit.ts) counts in memory and syncs every ~100 ms: the MCP hot path.
 */
import { RateLimitError } from "../errors";
import { sha256 } from "./crypto";

/** Hits to add to one key's window. */
export interface WindowDelta {
  key: string;
  windowStart: number;
  hits: number;
}

/** Where the counts of every instance live (src/db/rate-limit-store.ts). Async: a network database answers later. */
export interface RateLimitStore {
  /** Adds each delta to its window in one transaction; returns each window's new total, in order. */
  add(deltas: readonly WindowDelta[]): Promise<number[]>;
  /** Deletes every window of `key`. */
  forget(key: string): Promise<void>;
  /** Deletes the windows that started before `before`; returns how many. */
  sweep(before: number): Promise<number>;
}

/** How a limiter is described: its name keys its rows, `what` names the refused thing in the message. */
export interface LimitSpec {
  /** Unique per limiter (`sign-in-ip`, `mcp-principal`, …); the prefix of its keys in the table. */
  name: string;
  /** Allowed hits per window. */
  limit: number;
  windowMs: number;
  /** "sign-in attempts", "requests with this credential", … */
  what: string;
}

/** The start of the window `now` falls into. */
export function windowOf(now: number, windowMs: number): number {
  return now - (now % windowMs);
}

/** The stored key: the limiter's name in the clear (an operator can tell rows apart), what it counts hashed. */
export function storeKey(name: string, key: string): string {
  return `${name}:${sha256(key)}`;
}

/** The 429 for a window that is full at `now`: Retry-After is when the window ends. */
export function refusal(spec: LimitSpec, windowStart: number, now: number): RateLimitError {
  const retryAfter = Math.max(1, Math.ceil((windowStart + spec.windowMs - now) / 1000));
  return new RateLimitError(`Too many ${spec.what}; try again in ${retryAfter} s.`, retryAfter, spec.limit);
}

/** An exact shared limiter: every hit is counted in the store before it is allowed. */
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    readonly spec: LimitSpec,
  ) {}

  get limit(): number {
    return this.spec.limit;
  }

  /** Counts a hit for `key` at `now` (the caller's `deps.clock`); throws RateLimitError when over the limit. Returns the hits left. */
  async hit(key: string, now: number): Promise<number> {
    const windowStart = windowOf(now, this.spec.windowMs);
    const [count] = await this.store.add([{ key: storeKey(this.spec.name, key), windowStart, hits: 1 }]);
    if (count! > this.spec.limit) throw refusal(this.spec, windowStart, now);
    return this.spec.limit - count!;
  }

  /** Forgets a key's windows (e.g. after a successful sign-in). */
  reset(key: string): Promise<void> {
    return this.store.forget(storeKey(this.spec.name, key));
  }
}
