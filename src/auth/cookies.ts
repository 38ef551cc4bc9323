/** Cookie names and attributes. Session cookies are HttpOnly, SameSite=Lax, and Secure over https. */
export const SESSION_COOKIE = "portico_session";
/** Double-submit CSRF cookie for forms shown before sign-in (login, setup, invite). */
export const PRE_CSRF_COOKIE = "portico_csrf";

/**
 * The named cookie's value, or undefined. A value that does not URL-decode (`%ZZ`) is treated as absent:
 * throwing here would let a planted cookie lock that browser out of every page (issue 11 #17).
 */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function cookieHeader(name: string, value: string, publicUrl: string, maxAgeSeconds?: number): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  if (publicUrl.startsWith("https://")) parts.push("Secure");
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  return parts.join("; ");
}

export function clearCookieHeader(name: string, publicUrl: string): string {
  return cookieHeader(name, "", publicUrl, 0);
}
