/**
 * GET /oauth/authorize (OAuth 2.1 §4.1.1). Validates every parameter first, keeps the request server-side
 * in `auth_requests` (the form carries only its id and a CSRF token), sends anonymous users to sign in
 * and back (`return_to` is relative), then shows the consent page — or a refusal page.
 */
import { and, eq, gt } from "drizzle-orm";
import type { Deps } from "../deps";
import { type OAuthClient, type authRequests } from "../db/schema";
import { OAuthError } from "../errors";
import { currentUser, loginRedirect, type SignedIn } from "../auth/current";
import { newId } from "../lib/ids";
import { addressOf, detailOf, recordHandshake, requestDetail } from "../doctor/handshake";
import {
  AuthorizePageError,
  AuthorizeRedirectError,
  clientRedirect,
  validateAuthorizeRequest,
} from "./authorize-request";
import { findClient } from "./clients";
import { consentChoices } from "./consent-choices";
import { authorizeErrorPage, consentPage, refusalPage } from "./consent-page";
import { redirectHost } from "./redirect-uri";
import { resolveResource } from "./resource";
import { first } from "../db/query";

/** How long a user has to sign in and decide. */
const REQUEST_TTL_MS = 30 * 60 * 1000;

export type AuthRequest = typeof authRequests.$inferSelect;

/** Where sign-in returns to: the stored request, so nothing but its id travels through the login page. */
export function resumeUrl(requestId: string): string {
  return `/oauth/authorize?request_id=${encodeURIComponent(requestId)}`;
}

/** A pending, unexpired authorization request. */
export async function findAuthRequest(deps: Deps, id: string): Promise<AuthRequest | undefined> {
  const { authRequests } = deps.db.t;
  if (id.length > 100) return undefined;
  return await first(deps.db
      .select()
      .from(authRequests)
      .where(and(eq(authRequests.id, id), gt(authRequests.expiresAt, deps.clock.now()))));
}

/**
 * The client's (validated) redirect URI with an error (RFC 6749 §4.1.2.1) and RFC 9207 `iss`: a 303 when
 * the error may go back automatically, else an error page whose link the user may follow (RFC 9700 §4.11.1).
 */
export function redirectError(deps: Deps, err: AuthorizeRedirectError): Response {
  const location = clientRedirect(err.redirectUri, deps.config.publicUrl, {
    error: err.error,
    error_description: err.message,
    state: err.state,
  });
  if (!err.automatic) return authorizeErrorPage(err.message, { href: location, host: redirectHost(err.redirectUri) });
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

async function storeRequest(deps: Deps, request: Request, query: URLSearchParams, ip: string): Promise<AuthRequest> {
  const { authRequests } = deps.db.t;
  // Anyone, signed in or not, stores a row here: bounded per IP so a flood cannot grow the table unchecked.
  await deps.oauth.authorizeRequests.hit(ip, deps.clock.now());
  const valid = await validateAuthorizeRequest(deps, query, ip);
  const now = deps.clock.now();
  const row: AuthRequest = {
    id: newId("areq"),
    clientId: valid.client.id,
    redirectUri: valid.redirectUri,
    state: valid.state ?? null,
    codeChallenge: valid.codeChallenge,
    scope: valid.scope ?? null,
    resource: valid.target?.url ?? null,
    params: { prompt: query.get("prompt") },
    userId: null,
    createdAt: now,
    expiresAt: now + REQUEST_TTL_MS,
  };
  await deps.db.insert(authRequests).values(row);
  const detail = { ...requestDetail(request), channel: valid.target?.channel ?? null, redirect: addressOf(valid.redirectUri), phase: "request" };
  await recordHandshake(deps.db, { projectId: valid.target?.project.id, clientId: row.clientId, step: "authorize", outcome: "ok", detail }, deps.clock.now());
  return row;
}

/** The request's client, or the page a browser reads when it is gone (removed while the user signed in). */
async function clientOf(deps: Deps, row: AuthRequest): Promise<OAuthClient | Response> {
  try {
    return await findClient(deps, row.clientId);
  } catch (err) {
    if (err instanceof OAuthError) return authorizeErrorPage(err.message);
    throw err;
  }
}

async function showConsent(deps: Deps, row: AuthRequest, { user, session }: SignedIn): Promise<Response> {
  const { authRequests } = deps.db.t;
  const client = await clientOf(deps, row);
  if (client instanceof Response) return client;
  const target = row.resource ? (await resolveResource(deps, row.resource)) : null;
  if (row.resource && !target) return authorizeErrorPage("The project of this request no longer exists.");
  const decision = await consentChoices(deps, user.id, target, row.scope);
  // The request now belongs to this user: only their session's CSRF token can approve, deny or leave it.
  await deps.db.update(authRequests).set({ userId: user.id }).where(eq(authRequests.id, row.id));
  if ("refusal" in decision) {
    await recordHandshake(deps.db, { projectId: target?.project.id, clientId: client.id, step: "consent", outcome: "fail", reason: "refused: membership or role", detail: { why: "refused", channel: target?.channel ?? null } }, deps.clock.now());
    return refusalPage(decision.refusal, { requestId: row.id, csrf: session.csrfSecret, host: redirectHost(row.redirectUri) });
  }
  await recordHandshake(deps.db, { projectId: target?.project.id, clientId: client.id, step: "consent", outcome: "ok", detail: { phase: "shown", channel: target?.channel ?? null } }, deps.clock.now());
  return consentPage({
    requestId: row.id,
    csrf: session.csrfSecret,
    client,
    redirectUri: row.redirectUri,
    userEmail: user.email,
    choices: decision.choices,
  });
}

/** GET /oauth/authorize; `ip` is the requester's. */
export async function handleAuthorize(deps: Deps, request: Request, ip: string): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const resumeId = query.get("request_id");
  let row: AuthRequest | undefined;
  try {
    if (resumeId !== null && query.size === 1) {
      row = await findAuthRequest(deps, resumeId);
      if (!row) return authorizeErrorPage("This authorization request expired or was already used. Start again from your app.");
    } else {
      row = await storeRequest(deps, request, query, ip);
    }
  } catch (err) {
    if (err instanceof AuthorizeRedirectError || err instanceof AuthorizePageError) {
      // Tied to the project the request named, so the Server page shows why this client never got further.
      const target = await resolveResource(deps, query.get("resource") ?? "");
      const reason = err instanceof AuthorizeRedirectError ? `${err.error}: ${err.message}` : err.message;
      const redirect = addressOf(query.get("redirect_uri") ?? "");
      const detail = { ...requestDetail(request), ...(redirect ? { redirect } : {}), ...(err instanceof AuthorizeRedirectError ? { error: err.error } : {}), ...detailOf(err) };
      await recordHandshake(deps.db, { projectId: target?.project.id, clientId: query.get("client_id")?.slice(0, 300), step: "authorize", outcome: "fail", reason, detail }, deps.clock.now());
      return err instanceof AuthorizeRedirectError ? redirectError(deps, err) : authorizeErrorPage(err.message);
    }
    throw err;
  }
  const signedIn = await currentUser(deps, request);
  if (!signedIn) return loginRedirect(resumeUrl(row.id));
  return showConsent(deps, row, signedIn);
}
