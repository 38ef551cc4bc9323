/**
 * CSRF protection for every form. Signed-in forms carry the session's CSRF secret; forms shown before
 * sign-in use a double-submit cookie. Both are compared in constant time.
 */
import { CsrfError } from "../errors";
import { safeEqual } from "../lib/crypto";
import { newToken } from "../lib/ids";
import { PRE_CSRF_COOKIE, cookieHeader, readCookie } from "./cookies";

export const CSRF_FIELD = "csrf";

/** Throws CsrfError unless `submitted` matches the session secret (or the pre-session cookie). */
export function checkCsrf(request: Request, submitted: unknown, sessionSecret?: string): void {
  const expected = sessionSecret ?? readCookie(request, PRE_CSRF_COOKIE);
  if (typeof submitted !== "string" || !expected || !safeEqual(submitted, expected)) {
    throw new CsrfError("This form expired or was not sent from Portico. Go back, reload the page and try again.");
  }
}

/** The token to embed in a pre-sign-in form, plus the Set-Cookie header when a new one was minted. */
export function preSessionCsrf(request: Request, publicUrl: string): { token: string; setCookie?: string } {
  const existing = readCookie(request, PRE_CSRF_COOKIE);
  if (existing && existing.length >= 32 && existing.length <= 100) return { token: existing };
  const token = newToken();
  return { token, setCookie: cookieHeader(PRE_CSRF_COOKIE, token, publicUrl) };
}
