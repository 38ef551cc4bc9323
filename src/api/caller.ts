/**
 * Who is calling the JSON API: a browser session (cookie; every state-changing request must carry the
 * session's CSRF token in `X-CSRF-Token`, since a cookie alone would let another site forge it) or an
 * API key (`Authorization: Bearer prt_…`) on its own project only, acting with its scopes ∩ its creator's
 * current role; its channel and expiry bind every use (issue 11 #2).
 */
import type { Deps } from "../deps";
import { authenticateApiKeyForApi, looksLikeApiKey } from "../apikeys/keys";
import { currentUser } from "../auth/current";
import { checkCsrf } from "../auth/csrf";
import { getUser } from "../auth/users";
import { findProject } from "../projects/projects";
import { ForbiddenError, NotFoundError, OAuthError, UnauthenticatedError } from "../errors";
import type { User } from "../db/schema";
import { orgAccess, projectAccess, type OrgAccess, type ProjectAccess, type Via } from "../services/access";

/** The header a session caller sends its CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function bearer(request: Request): string | null {
  const header = request.headers.get("authorization");
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m ? m[1]! : null;
}

/** The session caller, with CSRF checked on unsafe methods; throws 401 when there is none. */
export async function sessionCaller(deps: Deps, request: Request): Promise<{ user: User; via: Via }> {
  const signedIn = await currentUser(deps, request);
  if (!signedIn) throw new UnauthenticatedError("Sign in, or send an API key as `Authorization: Bearer prt_…`.");
  if (!SAFE_METHODS.has(request.method)) checkCsrf(request, request.headers.get(CSRF_HEADER) ?? undefined, signedIn.session.csrfSecret);
  return { user: signedIn.user, via: { kind: "session", sessionId: signedIn.session.id, csrfSecret: signedIn.session.csrfSecret } };
}

/**
 * Authenticates an API key against the project it belongs to. Its scopes travel in `via`, so every
 * operation's `need()` checks them; its OAuth-style 401 becomes the API's own 401.
 */
async function apiKeyCaller(deps: Deps, key: string, projectId: string): Promise<{ user: User; via: Via }> {
  try {
    const k = await authenticateApiKeyForApi(deps, key, projectId);
    return {
      user: await getUser(deps.db, k.userId),
      via: { kind: "apikey", apiKeyId: k.apiKeyId, projectId, scopes: k.scopes, channel: k.channel, expiresAt: k.expiresAt },
    };
  } catch (err) {
    if (err instanceof OAuthError) throw new UnauthenticatedError(err.message);
    throw err;
  }
}

/** Access to a project for an API request (session or that project's API key). */
export async function apiProjectAccess(deps: Deps, request: Request, orgSlug: string, projectSlug: string): Promise<ProjectAccess> {
  const key = bearer(request);
  if (key !== null) {
    if (!looksLikeApiKey(key)) throw new UnauthenticatedError("The API accepts Portico API keys (prt_…) or a signed-in session.");
    const found = await findProject(deps.db, orgSlug, projectSlug);
    if (!found) throw new NotFoundError(`No project "${orgSlug}/${projectSlug}".`);
    const caller = await apiKeyCaller(deps, key, found.project.id);
    return projectAccess(deps, caller.user, caller.via, orgSlug, projectSlug);
  }
  const caller = await sessionCaller(deps, request);
  return projectAccess(deps, caller.user, caller.via, orgSlug, projectSlug);
}

/** `(request, params) => ProjectAccess` for route files whose paths carry `:org/:project`. */
export function projectAccessFor(deps: Deps) {
  return async (request: Request, params: { org: string; project: string }) => (await apiProjectAccess(deps, request, params.org, params.project));
}

/**
 * Access to an org for an API request. API keys are bound to one project, so org-wide operations
 * (members, authorized apps, the org audit log) take a session only.
 */
export async function apiOrgAccess(deps: Deps, request: Request, orgSlug: string): Promise<OrgAccess> {
  if (bearer(request) !== null) throw new ForbiddenError("API keys are bound to one project; organization settings need a signed-in session.");
  const caller = await sessionCaller(deps, request);
  return await orgAccess(deps, caller.user, caller.via, orgSlug);
}

/** Account routes act for a person, so they take only a session, never an API key. */
export async function apiSessionOnly(deps: Deps, request: Request): Promise<{ user: User; via: Via }> {
  if (bearer(request) !== null) throw new ForbiddenError("Account operations need a signed-in session, not an API key.");
  return await sessionCaller(deps, request);
}
