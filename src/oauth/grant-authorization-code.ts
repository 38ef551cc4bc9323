/**
 * grant_type=authorization_code (OAuth 2.1 §4.1.3): PKCE S256 verifier, the exact redirect_uri of the
 * authorization request, `resource` equal to the authorized one (RFC 8707 §2.2), code single-use and
 * ≤ 60 s. Only a correct exchange spends the code (issue 11 #8); a correct exchange of a spent code revokes
 * the grant it issued (OAuth 2.1 §4.1.3: "SHOULD revoke all tokens previously issued based on that
 * authorization code").
 */
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps";
import { type OAuthClient } from "../db/schema";
import { s256, safeEqual, sha256 } from "../lib/crypto";
import { grantProblem, loadGrantState } from "./grant-check";
import { getGrant, revokeGrant } from "./grants";
import { issueTokens, type Issued } from "./tokens";
import { ANOTHER_ISSUER, invalidGrant, invalidTarget, parseParams } from "./errors";
import { mintedByThisIssuer } from "./resource";
import { first } from "../db/query";

/** RFC 7636 §4.1: 43–128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Token request parameters of the code grant (OAuth 2.1 §4.1.3). */
export const AuthorizationCodeRequestSchema = z.object({
  code: z.string({ error: "code is required" }).min(1, "code is required").max(200),
  redirect_uri: z.string({ error: "redirect_uri is required" }).max(2000),
  code_verifier: z.string({ error: "code_verifier is required (PKCE)" }).regex(VERIFIER, "code_verifier is not a valid PKCE verifier"),
  resource: z.string().max(2000).optional(),
});

/** Exchanges a code for tokens; `form` is the token request body. */
export async function exchangeAuthorizationCode(deps: Deps, client: OAuthClient, form: Record<string, string>): Promise<Issued> {
  const { authCodes } = deps.db.t;
  const req = parseParams(AuthorizationCodeRequestSchema, form);
  const codeHash = sha256(req.code);
  const code = await first(deps.db.select().from(authCodes).where(eq(authCodes.codeHash, codeHash)));
  if (!code || code.clientId !== client.id) throw invalidGrant("The authorization code is not valid.");
  if (!mintedByThisIssuer(deps, code.resource)) throw invalidGrant(ANOTHER_ISSUER);
  // Issue 11 #8: everything the exchange proves is checked before the code is spent, so a wrong verifier
  // (a client bug, or someone holding a stolen code without the verifier) neither burns the code for the
  // real client nor revokes its grant. Only a correct exchange of a spent code is a replay.
  if (req.redirect_uri !== code.redirectUri) throw invalidGrant("redirect_uri differs from the one in the authorization request.");
  if (!safeEqual(s256(req.code_verifier), code.codeChallenge)) throw invalidGrant("The PKCE code_verifier does not match the code_challenge.");
  if (code.usedAt !== null) throw (await replayed(deps, code.grantId));
  const now = deps.clock.now();
  if (code.expiresAt <= now) throw invalidGrant("The authorization code expired (codes live 60 seconds).");
  if (req.resource !== undefined && req.resource !== code.resource) {
    throw invalidTarget("resource differs from the one that was authorized.");
  }
  const problem = grantProblem(await loadGrantState(deps, code.grantId), deps.config.sessionIdleTtl, now);
  const grant = await getGrant(deps.db, code.grantId);
  if (problem || !grant) throw invalidGrant(`The authorization cannot be used: ${problem ?? "it no longer exists"}.`);
  // Spent by one conditional write: of two concurrent correct exchanges, the second is a replay.
  const spent = await first(deps.db
      .update(authCodes)
      .set({ usedAt: now })
      .where(and(eq(authCodes.codeHash, codeHash), isNull(authCodes.usedAt)))
      .returning({ grantId: authCodes.grantId }));
  if (!spent) throw (await replayed(deps, code.grantId));
  return { grant, tokens: await issueTokens(deps, grant) };
}

/** OAuth 2.1 §4.1.3: a code redeemed twice revokes what it issued. */
async function replayed(deps: Deps, grantId: string): Promise<Error> {
  await revokeGrant(deps, grantId, { actorId: null, reason: "authorization code reused" });
  return invalidGrant("The authorization code was already used; the authorization it created is revoked.");
}
