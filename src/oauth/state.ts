/**
 * Per-app OAuth state that must outlive a request: the signing key ring, verified-token cache, CIMD fetches
 * in flight, last-used throttles, the registration rate limiter. Keyed by the app's `Deps`, so every test
 * app (and every CLI process) has its own, and nothing is a module-level singleton of data.
 */
import type { Deps } from "../deps";
import { RateLimiter } from "../lib/rate-limit";
import type { OAuthClient } from "../db/schema";
import { KeyRing } from "./keys";

export interface CachedToken {
  /** Verified claims, trusted until `exp` (seconds). */
  exp: number;
  kid: string;
  aud: string;
  sub: string;
  gid: string;
  clientId: string;
  scopes: string[];
}

export interface OAuthState {
  keys: KeyRing;
  /** sha256(access token) → verified claims; the grant itself is still checked on every request. */
  verified: Map<string, CachedToken>;
  /** CIMD URL → fetch in flight, so concurrent authorizations fetch once. */
  cimdInflight: Map<string, Promise<OAuthClient>>;
  /** grant id → when a refused MCP request with it was last recorded for the connection doctor. */
  refusalRecordedAt: Map<string, number>;
  /** Dynamic registrations per client IP (RFC 7591 §5: registration is an abuse target). */
  registrations: RateLimiter;
  /** Network fetches of client metadata documents per client IP (see cimd.ts). */
  cimdFetches: RateLimiter;
  /** Authorization requests stored per client IP: anonymous visitors create rows (see authorize.ts). */
  authorizeRequests: RateLimiter;
}

const STATES = new WeakMap<Deps, OAuthState>();

/** The OAuth state of this app; created on first use (the first start also creates the signing key). */
export function oauthState(deps: Deps): OAuthState {
  let state = STATES.get(deps);
  if (!state) {
    state = {
      keys: new KeyRing(deps),
      verified: new Map(),
      cimdInflight: new Map(),
      refusalRecordedAt: new Map(),
      registrations: new RateLimiter(30, 60_000, "client registrations from this address"),
      cimdFetches: new RateLimiter(20, 60_000, "client metadata documents fetched for this address"),
      authorizeRequests: new RateLimiter(120, 60_000, "authorization requests from this address"),
    };
    STATES.set(deps, state);
  }
  return state;
}
