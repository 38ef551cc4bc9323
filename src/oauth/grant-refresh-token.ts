/**
 * grant_type=refresh_token (OAuth 2.1 §4.3) with rotation (RFC 9700 §4.14.2). Every refresh spends the
 * presented token and returns a new pair in the same family (the grant). Grace window (docs/architecture.md: Product rules; issue 11 #6):
 * the same spent token presented again within 30 s — a network blip, two tabs — gets the very pair it was
 * rotated into (kept sealed in `refresh_tokens.successor`, successor-seal.ts), never a second branch of the
 * family; presented later, it is treated as stolen: the whole grant is revoked and the org audit log says so.
 * A retry whose successor was itself rotated meanwhile still gets that same (now spent) pair: the client then
 * presents a spent token, and the family's own rules (grace, then revocation) decide — no branch either way.
 */
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps";
import { type OAuthClient } from "../db/schema";
import { sha256 } from "../lib/crypto";
import { parseScopes } from "../auth/scopes";
import { grantProblem, loadGrantState } from "./grant-check";
import { getGrant, revokeGrant } from "./grants";
import { issueTokens, type Issued, type TokenResponse } from "./tokens";
import { openSuccessor, sealSuccessor } from "./successor-seal";
import { ANOTHER_ISSUER, invalidGrant, invalidScope, invalidTarget, parseParams } from "./errors";
import { mintedByThisIssuer } from "./resource";
import { first } from "../db/query";
import { withDetail } from "../doctor/handshake";
import { grantProblemKind } from "./grant-check";

/** A spent refresh token presented again within this window is a retry, not a theft. */
export const REFRESH_GRACE_MS = 30_000;

/** Token request parameters of the refresh grant (OAuth 2.1 §4.3.1). */
export const RefreshRequestSchema = z.object({
  refresh_token: z.string({ error: "refresh_token is required" }).min(1, "refresh_token is required").max(200),
  scope: z.string().max(1000).optional(),
  resource: z.string().max(2000).optional(),
});

/** Rotates a refresh token; `form` is the token request body. */
export async function exchangeRefreshToken(deps: Deps, client: OAuthClient, form: Record<string, string>): Promise<Issued> {
  const { refreshTokens } = deps.db.t;
  const req = parseParams(RefreshRequestSchema, form);
  const tokenHash = sha256(req.refresh_token);
  const token = await first(deps.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)));
  const grant = token ? (await getGrant(deps.db, token.grantId)) : undefined;
  if (!token || !grant || grant.clientId !== client.id) throw invalidGrant("The refresh token is not valid.");
  // Checked before anything is spent or revoked: under its own issuer the token still works.
  if (!mintedByThisIssuer(deps, grant.resource)) throw invalidGrant(ANOTHER_ISSUER);
  const now = deps.clock.now();
  if (token.expiresAt <= now) throw invalidGrant("The refresh token expired; authorize the app again.");
  if (token.usedAt !== null && now - token.usedAt > REFRESH_GRACE_MS) {
    // The window is over: its sealed pair is dropped with the family.
    await deps.db.update(refreshTokens).set({ successor: null }).where(eq(refreshTokens.tokenHash, tokenHash));
    await revokeGrant(deps, grant.id, { actorId: null, reason: "refresh token reused after rotation" });
    throw withDetail(invalidGrant("The refresh token was already used; the authorization is revoked for safety."), { reuse: "after_grace", why: "revoked" });
  }
  if (req.resource !== undefined && req.resource !== grant.resource) {
    throw invalidTarget("resource differs from the one that was authorized.");
  }
  const granted = parseScopes(grant.scopes);
  const asked = req.scope === undefined ? granted : parseScopes(req.scope);
  // RFC 6749 §6: a refresh may narrow the scope, never widen it.
  if (asked.some((s) => !granted.includes(s))) throw invalidScope("A refresh cannot add scopes that were not granted.");
  const state = await loadGrantState(deps, grant.id);
  const problem = grantProblem(state, deps.config.sessionIdleTtl, now);
  if (problem) {
    const why = grantProblemKind(state, deps.config.sessionIdleTtl, now);
    throw withDetail(invalidGrant(`The authorization cannot be used: ${problem}.`), { why, channel: grant.channel, revokedReason: state?.revokedReason ?? null });
  }
  // A retry within the window: the same pair as the first time (whatever scope the retry names), or nothing.
  if (token.usedAt !== null) return { grant, tokens: sealedSuccessor(deps, tokenHash, token.successor), reuse: "grace" };
  const tokens = await issueTokens(deps, grant, asked.join(" "));
  // Spent only once a new pair exists: a refused request must not start the 30 s clock after which the
  // client's corrected retry would look like a stolen token and revoke the grant. Spending and sealing are
  // one conditional write, so of two concurrent rotations (signing awaits) exactly one pair survives.
  const won = await first(deps.db
      .update(refreshTokens)
      .set({ usedAt: deps.clock.now(), successor: sealSuccessor(deps.tools.secrets, tokenHash, tokens) })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
      .returning({ tokenHash: refreshTokens.tokenHash }));
  if (won) return { grant, tokens };
  await deps.db.delete(refreshTokens).where(eq(refreshTokens.tokenHash, sha256(tokens.refresh_token)));
  const winner = await first(deps.db.select({ successor: refreshTokens.successor }).from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)));
  return { grant, tokens: sealedSuccessor(deps, tokenHash, winner?.successor ?? null) };
}

/**
 * The pair a spent token was rotated into. None readable (rotated before sealing existed, or sealed under a
 * master key this server no longer holds): refused without revoking — inside the window it is a retry, not
 * a theft — and never answered with a fresh pair, which would be the second branch.
 */
function sealedSuccessor(deps: Deps, tokenHash: string, sealed: string | null): TokenResponse {
  const pair = sealed ? openSuccessor(deps.tools.secrets, tokenHash, sealed) : null;
  if (!pair) throw invalidGrant("The refresh token was just used; use the refresh token of that response.");
  return pair;
}
