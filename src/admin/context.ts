/**
 * Page plumbing shared by every settings page: resolve the signed-in user's access (anonymous visitors are
 * sent to sign in), check the CSRF token of every form post, and redirect after a post with a flash key.
 */
import { checkCsrf, CSRF_FIELD } from "../auth/csrf";
import { requireUser, type SignedIn } from "../auth/current";
import { formFields, redirect } from "../auth/views";
import type { Deps } from "../deps";
import { orgAccess, projectAccess, type OrgAccess, type ProjectAccess, type Via } from "../services/access";

export { parseInput } from "../services/input";

/** The `Via` of a signed-in browser session (its CSRF secret signs the page's forms). */
export function sessionVia(signedIn: SignedIn): Via {
  return { kind: "session", sessionId: signedIn.session.id, csrfSecret: signedIn.session.csrfSecret };
}

/** The signed-in user's access to an org page; anonymous visitors are sent to sign in. */
export async function orgPageAccess(deps: Deps, request: Request, orgSlug: string): Promise<OrgAccess> {
  const signedIn = await requireUser(deps, request);
  return await orgAccess(deps, signedIn.user, sessionVia(signedIn), orgSlug);
}

/** The signed-in user's access to a project page; anonymous visitors are sent to sign in. */
export async function projectPageAccess(deps: Deps, request: Request, orgSlug: string, projectSlug: string): Promise<ProjectAccess> {
  const signedIn = await requireUser(deps, request);
  return await projectAccess(deps, signedIn.user, sessionVia(signedIn), orgSlug, projectSlug);
}

/** The CSRF secret to embed in this page's forms. */
export function csrfOf(access: { via: Via }): string {
  return access.via.kind === "session" ? access.via.csrfSecret : "";
}

/** A form post's string fields, after its CSRF token was checked against the session. */
export function postedForm(request: Request, body: unknown, access: { via: Via }): Record<string, string> {
  const fields = formFields(body);
  checkCsrf(request, fields[CSRF_FIELD], access.via.kind === "session" ? access.via.csrfSecret : undefined);
  return fields;
}

/** 303 back to a page with a flash key the page turns into a fixed message (never user text). */
export function done(location: string, flash: string): Response {
  return redirect(`${location}${location.includes("?") ? "&" : "?"}ok=${encodeURIComponent(flash)}`);
}

/** The success message for the `ok` key a post redirected with, if this page knows it. */
export function flashFrom(request: Request, messages: Record<string, string>): { kind: "ok"; text: string } | null {
  const key = new URL(request.url).searchParams.get("ok");
  const text = key ? messages[key] : undefined;
  return text ? { kind: "ok", text } : null;
}
