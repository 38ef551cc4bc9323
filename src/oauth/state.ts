/**
 * Per-app OAuth state that must outlive a request: the signing key ring, verified-token cache, CIMD fetches
 * in flight, last-used throttles, the per-IP rate limiters (exact and shared by every instance: each
 * of these requests writes to the database anyway). Built once by `createDeps` and held by
 * `deps.oauth`, so every test app (and every CLI process) has its own, and nothing is a module-level
 * singleton of data. The key ring follows the change feed (docs/architecture.md, "Change feed").
 */
import type { RateLimiter } from "../lib/rate-limit";
import type { RateLimits } from "../lib/rate-limits";
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
export function createOAuthState(deps: KeyRingDeps & { rateLimits: RateLimits }): OAuthState {
  const limits = deps.rateLimits;
  return {
    keys: new KeyRing(deps),
    verified: new Map(),
    cimdInflight: new Map(),
    refusalRecordedAt: new Map(),
    registrations: limits.exact({ name: "oauth-register", limit: 30, windowMs: 60_000, what: "client registrations from this address" }),
    cimdFetches: limits.exact({ name: "oauth-cimd", limit: 20, windowMs: 60_000, what: "client metadata documents fetched for this address" }),
    authorizeRequests: limits.exact({ name: "oauth-authorize", limit: 120, windowMs: 60_000, what: "authorization requests from this address" }),
  };
}
