/**
 * POST /oauth/authorize: the user's decision on the consent page. Requires the session that was shown the
 * page (the request is bound to its user) and that session's CSRF token; the request is single-use. On
 * approval the grant is created bound to this session, and a 60-second code goes back to the client with
 * `state` and RFC 9207 `iss`.
 */
import { and, eq, gt } from "drizzle-orm";
import type { Deps } from "../deps";
import { checkCsrf } from "../auth/csrf";
import { currentUser, loginRedirect, type SignedIn } from "../auth/current";
import { SESSION_COOKIE, clearCookieHeader } from "../auth/cookies";
import { endSession } from "../auth/sessions";
import { OAuthError } from "../errors";
import { grantPrefix, recordHandshake } from "../doctor/handshake";
import { AuthorizeRedirectError, clientRedirect } from "./authorize-request";
import { findAuthRequest, redirectError, resumeUrl } from "./authorize";
import { consentChoices } from "./consent-choices";
import { authorizeErrorPage, refusalPage, scopeFields, SCOPES_SHOWN } from "./consent-page";
import { tickedScopes } from "../auth/scopes";
import { createGrant } from "./grants";
import { readForm } from "./http";
import { resolveResource } from "./resource";
import { issueCode } from "./tokens";
import { first, transaction } from "../db/query";

/** Where the approving browser came from, remembered on the grant. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/**
 * "Use another account" on a refusal (issue 16 #8): ends this browser's session and sends it to sign in,
 * returning to the same pending request, which the next account's consent page then takes over.
 */
async function switchAccount(deps: Deps, signedIn: SignedIn, requestId: string): Promise<Response> {
  const row = await findAuthRequest(deps, requestId);
  if (!row || row.userId !== signedIn.user.id) return authorizeErrorPage("This authorization request expired or was already used. Start again from your app.");
  await endSession(deps, signedIn.session.id, "signed out");
  const res = loginRedirect(resumeUrl(requestId));
  res.headers.append("set-cookie", clearCookieHeader(SESSION_COOKIE, deps.config.publicUrl));
  return res;
}

/** POST /oauth/authorize. */
export async function handleConsent(deps: Deps, request: Request, meta: RequestMeta): Promise<Response> {
  const { authRequests } = deps.db.t;
  let form: Record<string, string>;
  try {
    form = await readForm(request);
  } catch (err) {
    if (err instanceof OAuthError) return authorizeErrorPage(err.message);
    throw err;
  }
  const requestId = form.request_id ?? "";
  const signedIn = await currentUser(deps, request);
  if (!signedIn) return loginRedirect(resumeUrl(requestId));
  checkCsrf(request, form.csrf, signedIn.session.csrfSecret);
  if (form.decision === "switch-account") return switchAccount(deps, signedIn, requestId);
  // Single use: the row is deleted as it is read, so a double submit cannot mint two codes.
  const row = await first(deps.db
      .delete(authRequests)
      .where(and(eq(authRequests.id, requestId), eq(authRequests.userId, signedIn.user.id), gt(authRequests.expiresAt, deps.clock.now())))
      .returning());
  if (!row) return authorizeErrorPage("This authorization request expired or was already used. Start again from your app.");
  const state = row.state ?? undefined;
  if (form.decision !== "approve") {
    const denied = row.resource ? await resolveResource(deps, row.resource) : null;
    await recordHandshake(deps.db, { projectId: denied?.project.id, clientId: row.clientId, step: "consent", outcome: "fail", reason: "the user denied access", detail: { why: "denied" } }, deps.clock.now());
    return redirectError(deps, new AuthorizeRedirectError(row.redirectUri, state, "access_denied", "The user denied access."));
  }
  const resource = row.resource ?? form.resource ?? "";
  const target = await resolveResource(deps, resource);
  if (!target) return authorizeErrorPage("Choose a project to connect.");
  // Re-checked at approval: the role may have changed while the page was open.
  const decision = await consentChoices(deps, signedIn.user.id, target, row.scope);
  if ("refusal" in decision) return refusalPage(decision.refusal);
  const choice = decision.choices[0]!;
  // The single-project page offers each scope as a checkbox (SCOPE_FIELD): the grant carries exactly the ticked
  // ones, never more than offered, and always the required ones (requiredScopes says why).
  const scopes = form[SCOPES_SHOWN] === "1" ? tickedScopes(choice.scopes, scopeFields(form), target.channel) : choice.scopes;
  const grant = await transaction(deps.db, async () => {
      const created = await createGrant(deps.db, {
            userId: signedIn.user.id,
            orgId: target.org.id,
            projectId: target.project.id,
            channel: target.channel,
            resource: target.url,
            clientId: row.clientId,
            scopes: scopes.join(" "),
            sessionId: signedIn.session.id,
            ip: meta.ip,
            userAgent: meta.userAgent,
          }, deps.clock.now());
      return { created, code: await issueCode(deps, created, row) };
    });
  await recordHandshake(deps.db, { projectId: target.project.id, clientId: row.clientId, step: "consent", outcome: "ok", detail: { phase: "approved", channel: target.channel, grant: grantPrefix(grant.created.id) } }, deps.clock.now());
  deps.log.info({ clientId: row.clientId, grantId: grant.created.id, userId: signedIn.user.id }, "oauth grant approved");
  const location = clientRedirect(row.redirectUri, deps.config.publicUrl, { code: grant.code, state });
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}
