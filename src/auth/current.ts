/**
 * The signed-in user of a page request. Pages call `requireUser`, which sends anonymous visitors to
 * `/login?return_to=<this path>` (relative only, so it can never become an open redirect).
 */
import type { Session, User } from "../db/schema";
import type { Deps } from "../deps";
import { RedirectError } from "../errors";
import { SESSION_COOKIE, readCookie } from "./cookies";
import { resolveSession } from "./sessions";

export interface SignedIn {
  session: Session;
  user: User;
}

export async function currentUser(deps: Deps, request: Request): Promise<SignedIn | null> {
  return await resolveSession(deps, readCookie(request, SESSION_COOKIE));
}

/** Thrown by `requireUser`: a 303 to the sign-in page that comes back here (every face answers a RedirectError with it). */
export class SignInRequired extends RedirectError {
  constructor(readonly returnTo: string) {
    super(loginLocation(returnTo));
  }
}

export async function requireUser(deps: Deps, request: Request): Promise<SignedIn> {
  const signedIn = await currentUser(deps, request);
  if (!signedIn) {
    const url = new URL(request.url);
    throw new SignInRequired(url.pathname + url.search);
  }
  return signedIn;
}

/** Accepts only same-origin relative paths ("/x", not "//evil" or "/\\evil"); anything else → fallback. */
export function safeReturnTo(value: unknown, fallback = "/admin"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // Printable ASCII only: controls and non-Latin-1 characters are not valid in a Location header value.
  if (/[^\x20-\x7e]/.test(value) || value.length > 2000) return fallback;
  return value;
}

function loginLocation(returnTo: string): string {
  return `/login?return_to=${encodeURIComponent(safeReturnTo(returnTo))}`;
}

export function loginRedirect(returnTo: string): Response {
  return new Response(null, { status: 303, headers: { location: loginLocation(returnTo) } });
}
