/**
 * Bearer authentication of MCP requests (RFC 6750; MCP Authorization 2025-11-25 §"Access Token Usage"),
 * checked on EVERY request: signature, `exp`, `iss`, `aud` equal to this exact channel URL (never a prefix),
 * then — in one prepared query — grant not revoked, approving session live, user still a member with a
 * role that reaches the channel. Effective scopes = granted ∩ what the current role allows, so a lowered
 * role narrows access at once without a step-up loop. Verified JWT claims are cached by token hash until
 * `exp` (verification is the expensive part); the grant check itself is never cached, so a revocation
 * acts on the very next request.
 */
import { eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { type Channel } from "../db/schema";
import { OAuthError } from "../errors";
import { sha256 } from "../lib/crypto";
import { allowedScopes, parseScopes, type Scope } from "../auth/scopes";
import type { Principal } from "../auth/principal";
import { touchSession } from "../auth/sessions";
import { channelUrl } from "../projects/projects";
import { grantPrefix, recordHandshake, requestDetail, type HandshakeDetail } from "../doctor/handshake";
import { InsufficientScopeError, InvalidTokenError } from "./errors";
import { grantProblem, grantProblemKind, loadGrantState } from "./grant-check";
import { channelScopes, resourceMetadataUrl } from "./metadata";
import type { CachedToken } from "./state";

/** The MCP endpoint being called. */
export interface BearerTarget {
  orgId: string;
  projectId: string;
  orgSlug: string;
  projectSlug: string;
  channel: Channel;
}

/** `last_used_at` is written at most this often per grant. */
const LAST_USED_INTERVAL_MS = 60_000;
/** Upper bound of the verified-token cache; beyond it expired entries go, then everything. */
const CACHE_MAX = 50_000;

/**
 * The `WWW-Authenticate` value for a 401/403 (RFC 6750 §3, RFC 9728 §5.1): `resource_metadata` and
 * `scope` always; `error` and `error_description` only when a token was presented (RFC 6750 §3.1).
 */
export function bearerChallenge(
  publicUrl: string,
  target: Pick<BearerTarget, "orgSlug" | "projectSlug" | "channel">,
  opts: { error?: string; description?: string; scope?: readonly string[] } = {},
): string {
  const quote = (v: string) => `"${v.replace(/[\\"]/g, "").replace(/[\r\n]/g, " ")}"`;
  const parts = [
    `resource_metadata=${quote(resourceMetadataUrl(publicUrl, target.orgSlug, target.projectSlug, target.channel))}`,
    `scope=${quote((opts.scope ?? channelScopes(target.channel)).join(" "))}`,
  ];
  if (opts.error) parts.push(`error=${quote(opts.error)}`);
  if (opts.description) parts.push(`error_description=${quote(opts.description)}`);
  return `Bearer ${parts.join(", ")}`;
}

function unauthorized(deps: Deps, target: BearerTarget, description: string, withError = true): OAuthError {
  const challenge = bearerChallenge(deps.config.publicUrl, target, withError ? { error: "invalid_token", description } : {});
  // RFC 6750 §3.1: without a token the challenge carries no error code; the body still needs an RFC code.
  return new InvalidTokenError(description, challenge);
}

function readClaims(claims: Record<string, unknown>, kid: string): CachedToken | null {
  const { exp, aud, sub, gid, client_id, scope } = claims;
  if (typeof exp !== "number" || typeof aud !== "string" || typeof sub !== "string" || typeof gid !== "string") return null;
  if (typeof client_id !== "string" || typeof scope !== "string") return null;
  return { exp, kid, aud, sub, gid, clientId: client_id, scopes: parseScopes(scope) };
}

async function verifiedToken(deps: Deps, token: string): Promise<CachedToken | null> {
  const state = deps.oauth;
  const key = sha256(token);
  const nowS = deps.clock.now() / 1000;
  const cached = state.verified.get(key);
  if (cached && cached.exp > nowS && await state.keys.isActive(cached.kid)) return cached;
  if (cached) state.verified.delete(key);
  const verified = await state.keys.verify(token, deps.config.publicUrl);
  const claims = verified ? readClaims(verified.claims, verified.kid) : null;
  if (!claims) return null;
  if (state.verified.size >= CACHE_MAX) {
    for (const [k, v] of state.verified) if (v.exp <= nowS) state.verified.delete(k);
    if (state.verified.size >= CACHE_MAX) state.verified.clear();
  }
  state.verified.set(key, claims);
  return claims;
}

/** The request's `MCP-Protocol-Version` when it has the shape of a revision (YYYY-MM-DD), else null: never stored raw. */
function revisionOf(request: Request): string | null {
  const value = request.headers.get("mcp-protocol-version");
  return value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

/** How often a client still using a dead grant is written to the connection doctor. */
const REFUSAL_RECORD_MS = 60_000;

/**
 * Tells the connection doctor why a genuine (signature-verified) token was refused, once a minute per
 * grant: a host retrying with a revoked grant must not turn every request into a write.
 */
async function recordRefusal(deps: Deps, claims: CachedToken, target: BearerTarget, problem: string, detail: HandshakeDetail, request: Request): Promise<void> {
  const seen = deps.oauth.refusalRecordedAt;
  const now = deps.clock.now();
  if (now - (seen.get(claims.gid) ?? 0) < REFUSAL_RECORD_MS) return;
  if (seen.size >= CACHE_MAX) seen.clear();
  seen.set(claims.gid, now);
  const full = { ...requestDetail(request), channel: target.channel, grant: grantPrefix(claims.gid), status: 401, ...detail };
  await recordHandshake(deps.db, { projectId: target.projectId, clientId: claims.clientId, step: "mcp", outcome: "fail", reason: problem, detail: full }, now);
}

/**
 * A 401 without a usable token (none sent, or one that does not verify): no client can be trusted from it,
 * so it is noted per project and channel, once a minute — enough to show "the host calls without its token".
 */
async function recordAnonymousRefusal(deps: Deps, target: BearerTarget, why: "no_token" | "invalid_token", reason: string, request: Request): Promise<void> {
  const seen = deps.oauth.refusalRecordedAt;
  const key = `anon:${target.projectId}:${target.channel}:${why}`;
  const now = deps.clock.now();
  if (now - (seen.get(key) ?? 0) < REFUSAL_RECORD_MS) return;
  if (seen.size >= CACHE_MAX) seen.clear();
  seen.set(key, now);
  const detail = { ...requestDetail(request), channel: target.channel, why, status: 401 };
  await recordHandshake(deps.db, { projectId: target.projectId, step: "mcp", outcome: "fail", reason, detail }, now);
}

/** Which channel of this project an audience names, or `another server`. */
function audienceChannel(deps: Deps, target: BearerTarget, aud: string): string {
  for (const channel of ["production", "draft"] as const) {
    if (aud === channelUrl(deps.config.publicUrl, target.orgSlug, target.projectSlug, channel)) return channel;
  }
  return "another server";
}

/**
 * Authenticates an MCP request by its OAuth access token. Throws OAuthError 401 with a `WWW-Authenticate`
 * challenge: without `error` when no token was sent, `invalid_token` with the reason in words otherwise.
 */
export async function authenticateBearer(
  deps: Deps,
  request: Request,
  target: BearerTarget,
  /** Read-through cache dropped on any commit (the MCP hot path: one SQLite read less); default reads every time. */
  read: <T>(cacheKey: string, load: () => T) => T = (_, load) => load(),
): Promise<Principal> {
  const { grants } = deps.db.t;
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
  if (!header) {
    await recordAnonymousRefusal(deps, target, "no_token", "no access token sent", request);
    throw unauthorized(deps, target, "This MCP server needs authorization: connect the app to Portico.", false);
  }
  if (!match) throw unauthorized(deps, target, "The Authorization header must be a Bearer token.");
  const claims = await verifiedToken(deps, match[1]!);
  if (!claims) {
    await recordAnonymousRefusal(deps, target, "invalid_token", "access token invalid or expired", request);
    throw unauthorized(deps, target, "The access token is invalid or expired.");
  }
  const audience = channelUrl(deps.config.publicUrl, target.orgSlug, target.projectSlug, target.channel);
  // RFC 8707 / MCP: the audience is this exact channel URL; a draft token never reaches production or vice versa.
  if (claims.aud !== audience) {
    await recordRefusal(deps, claims, target, "wrong audience", { why: "audience", tokenFor: audienceChannel(deps, target, claims.aud) }, request);
    throw unauthorized(deps, target, "The access token was issued for another MCP server.");
  }
  const grant = await read(`grant:${claims.gid}`, () => loadGrantState(deps, claims.gid));
  const now = deps.clock.now();
  const problem = grantProblem(grant, deps.config.sessionIdleTtl, now);
  if (problem || !grant) {
    const why = grantProblemKind(grant, deps.config.sessionIdleTtl, now);
    await recordRefusal(deps, claims, target, problem ?? "unknown", { why, revokedReason: grant?.revokedReason ?? null }, request);
    throw unauthorized(deps, target, `The access token is no longer valid: ${problem}.`);
  }
  if (grant.projectId !== target.projectId || grant.channel !== target.channel || grant.userId !== claims.sub) {
    await recordRefusal(deps, claims, target, "wrong audience", { why: "audience", tokenFor: grant.projectId === target.projectId ? grant.channel : "another server" }, request);
    throw unauthorized(deps, target, "The access token was issued for another MCP server.");
  }
  // The grant's use keeps its approving session alive (docs/architecture.md: Grant); both writes are throttled.
  await touchSession(deps, { id: grant.sessionId, lastSeenAt: grant.sessionLastSeenAt! }, now);
  // Which MCP revision this client speaks (Server page, connection doctor): a 2026-07-28 request always
  // names it, a 2025 one from its second request on (initialize carries it in the body). Written only
  // when it changes, so the hot path stays one string comparison.
  const revision = revisionOf(request);
  const newRevision = revision !== null && revision !== grant.protocolVersion;
  if (grant.lastUsedAt === null || newRevision || now - grant.lastUsedAt >= LAST_USED_INTERVAL_MS) {
    await deps.db
            .update(grants)
            .set({ lastUsedAt: now, ...(newRevision ? { protocolVersion: revision } : {}) })
            .where(eq(grants.id, grant.id));
    if (grant.lastUsedAt === null || newRevision) {
      const detail = { ...requestDetail(request), channel: grant.channel, grant: grantPrefix(grant.id), first: grant.lastUsedAt === null };
      await recordHandshake(deps.db, { projectId: grant.projectId, clientId: grant.clientId, step: "mcp", outcome: "ok", protocolVersion: revision, detail }, now);
    }
  }
  const allowed = allowedScopes(grant.role!, grant.channel);
  const scopes = allowed.filter((s) => claims.scopes.includes(s));
  return { kind: "user", userId: grant.userId, grantId: grant.id, clientId: grant.clientId, sessionId: grant.sessionId, role: grant.role!, scopes };
}

/**
 * Whether the principal may use `scope` on this channel. True when it holds it. False when its role does
 * not allow it at all (the MCP layer hides or refuses with `isError`: no step-up loop, docs/architecture.md: Roles).
 * Throws 403 `insufficient_scope` only when the role allows the scope but the grant lacks it, with a
 * challenge asking for the granted scopes plus this one (MCP 2025-11-25 §"Scope Challenge Handling").
 */
export function requireScope(principal: Principal, scope: Scope, target: BearerTarget, publicUrl?: string): boolean {
  if (principal.scopes.includes(scope)) return true;
  if (principal.kind === "anonymous" || !allowedScopes(principal.role, target.channel).includes(scope)) return false;
  const wanted = [...principal.scopes, scope];
  const description = `This needs the ${scope} scope, which this authorization does not include.`;
  const challenge = publicUrl
    ? bearerChallenge(publicUrl, target, { error: "insufficient_scope", description, scope: wanted })
    : `Bearer error="insufficient_scope", scope="${wanted.join(" ")}", error_description="${description}"`;
  throw new InsufficientScopeError(description, challenge);
}
