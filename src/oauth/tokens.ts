/**
 * Issuing credentials. Authorization codes and refresh tokens are opaque random values stored only as
 * SHA-256 hashes; access tokens are EdDSA JWTs (aud = the exact channel URL, `gid` = the grant) that the
 * per-request check ties back to the grant. Lifetimes come from config (access default 8 h, refresh 30 d).
 */
import type { Deps } from "../deps";
import { type Grant } from "../db/schema";
import { sha256 } from "../lib/crypto";
import { newId, newToken } from "../lib/ids";

/** OAuth 2.1 §4.1.2: codes are short-lived; Portico allows 60 s. */
export const CODE_TTL_MS = 60_000;

/** Creates a single-use authorization code for a freshly approved grant; returns the code (never stored). */
export async function issueCode(deps: Deps, grant: Grant, req: { redirectUri: string; codeChallenge: string }): Promise<string> {
  const { authCodes } = deps.db.t;
  const code = newToken("pac_");
  const now = deps.clock.now();
  await deps.db
        .insert(authCodes)
        .values({
          codeHash: sha256(code),
          grantId: grant.id,
          clientId: grant.clientId,
          redirectUri: req.redirectUri,
          codeChallenge: req.codeChallenge,
          resource: grant.resource,
          scopes: grant.scopes,
          createdAt: now,
          expiresAt: now + CODE_TTL_MS,
        });
  return code;
}

/** RFC 6749 §5.1 token response body. */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** What a grant type hands back: the tokens and the grant they belong to. */
export interface Issued {
  grant: Grant;
  tokens: TokenResponse;
  /** `grace`: a refresh retried within the grace window got the pair it was already rotated into (for the doctor). */
  reuse?: "grace";
}

/** Signs an access token and creates a new refresh token in the grant's family. */
export async function issueTokens(deps: Deps, grant: Grant, scope = grant.scopes): Promise<TokenResponse> {
  const { refreshTokens } = deps.db.t;
  const { config } = deps;
  const now = deps.clock.now();
  const nowS = Math.floor(now / 1000);
  const accessToken = await deps.oauth.keys.sign({
    iss: config.publicUrl,
    aud: grant.resource,
    sub: grant.userId,
    scope,
    client_id: grant.clientId,
    gid: grant.id,
    jti: newId("jti"),
    exp: nowS + config.accessTokenTtl,
  });
  const refreshToken = newToken("prf_");
  await deps.db
        .insert(refreshTokens)
        .values({ tokenHash: sha256(refreshToken), grantId: grant.id, createdAt: now, expiresAt: now + config.refreshTokenTtl * 1000 });
  return { access_token: accessToken, token_type: "Bearer", expires_in: config.accessTokenTtl, refresh_token: refreshToken, scope };
}
