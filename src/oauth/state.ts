/**
 * Per-app OAuth state that must outlive a request: the signing key ring, verified-token cache, CIMD fetches
 * in flight, last-used throttles, the registration rate limiter. Built once by `createDeps` and held by
 * `deps.oauth`, so every test app (and every CLI process) has its own, and nothing is a module-level
 * singleton of data. The key ring follows the change feed (docs/architecture.md, "Change feed").
 */
import { RateLimiter } from "../lib/rate-limit";
import type { OAuthClient } from "../db/schema";
import { KeyRing, type KeyRingDeps } from "./keys";

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

/** The OAuth state of one app; the key ring reads its keys on first use (the first start also creates one). */
export function createOAuthState(deps: KeyRingDeps): OAuthState {
  return {
    keys: new KeyRing(deps),
    verified: new Map(),
    cimdInflight: new Map(),
    refusalRecordedAt: new Map(),
    registrations: new RateLimiter(30, 60_000, "client registrations from this address"),
    cimdFetches: new RateLimiter(20, 60_000, "client metadata documents fetched for this address"),
    authorizeRequests: new RateLimiter(120, 60_000, "authorization requests from this address"),
  };
}
