/**
 * POST /oauth/token (OAuth 2.1 §3.2): authenticates the client by its registered method, dispatches on
 * grant_type and answers with `Cache-Control: no-store`. Each step lands in the connection doctor.
 */
import { eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { sha256 } from "../lib/crypto";
import { OAuthError } from "../errors";
import { detailOf, grantPrefix, recordHandshake, requestDetail, type HandshakeStep } from "../doctor/handshake";
import { authenticateClient } from "./client-auth";
import { exchangeAuthorizationCode } from "./grant-authorization-code";
import { exchangeRefreshToken } from "./grant-refresh-token";
import { json, readForm } from "./http";
import { getGrant } from "./grants";
import { markClientUsed } from "./clients";
import type { Issued } from "./tokens";
import { unsupportedGrantType } from "./errors";
import { first } from "../db/query";

function stepOf(grantType: string | undefined): HandshakeStep {
  return grantType === "refresh_token" ? "refresh" : "token";
}

/** The project a refused token request concerned, when its code or refresh token is known (for the doctor). */
async function projectOf(deps: Deps, form: Record<string, string>): Promise<string | null> {
  const { authCodes, refreshTokens } = deps.db.t;
  const grantId = form.code
    ? (await first(deps.db.select({ id: authCodes.grantId }).from(authCodes).where(eq(authCodes.codeHash, sha256(form.code)))))?.id
    : form.refresh_token
      ? (await first(deps.db.select({ id: refreshTokens.grantId }).from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256(form.refresh_token)))))?.id
      : undefined;
  return grantId ? ((await getGrant(deps.db, grantId))?.projectId ?? null) : null;
}

/** POST /oauth/token; `ip` is the requester's. */
export async function handleToken(deps: Deps, request: Request, ip: string): Promise<Response> {
  const form = await readForm(request);
  const step = stepOf(form.grant_type);
  try {
    const client = await authenticateClient(deps, request, form, ip);
    let issued: Issued;
    if (form.grant_type === "authorization_code") issued = await exchangeAuthorizationCode(deps, client, form);
    else if (form.grant_type === "refresh_token") issued = await exchangeRefreshToken(deps, client, form);
    else throw unsupportedGrantType("Supported grant types: authorization_code, refresh_token.");
    await markClientUsed(deps.db, client.id, deps.clock.now());
    const detail = { ...requestDetail(request), channel: issued.grant.channel, grant: grantPrefix(issued.grant.id), ...(issued.reuse ? { reuse: issued.reuse } : {}) };
    await recordHandshake(deps.db, { projectId: issued.grant.projectId, clientId: client.id, step, outcome: "ok", detail }, deps.clock.now());
    deps.log.info({ clientId: client.id, grantId: issued.grant.id, grantType: form.grant_type }, "oauth tokens issued");
    return json(issued.tokens);
  } catch (err) {
    if (err instanceof OAuthError) {
      const detail = { ...requestDetail(request), error: err.code, status: err.status, ...detailOf(err) };
      await recordHandshake(deps.db, { projectId: await projectOf(deps, form), clientId: form.client_id, step, outcome: "fail", reason: `${err.code}: ${err.message}`, detail }, deps.clock.now());
      // Ids and the RFC error only: the form carries the code, verifier, secret and refresh token.
      deps.log.info({ clientId: form.client_id?.slice(0, 300), grantType: form.grant_type?.slice(0, 60), error: err.code, reason: err.message }, "oauth token request refused");
    }
    throw err;
  }
}
