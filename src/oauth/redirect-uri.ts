/**
 * Redirect URI policy, pure functions. Registration accepts https, http on loopback only (RFC 8252 §7.3)
 * and private-use schemes of native apps (RFC 8252 §7.1); matching is exact string comparison (OAuth 2.1
 * §4.1.3) except that a loopback redirect may vary its port (RFC 8252 §7.3).
 */

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);
/** Schemes a native app can never legitimately own. */
const FORBIDDEN_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:", "about:", "http:", "https:"]);

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

/** RFC 8252 §7.3 loopback hosts. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/** Why a redirect URI cannot be registered, or null when it is acceptable. */
export function redirectUriProblem(uri: string): string | null {
  const url = parse(uri);
  if (!url || uri.length > 2000) return "is not an absolute URI";
  // OAuth 2.1 §2.3.1: no fragment; RFC 6749 §3.1.2 forbids credentials smuggled in the authority.
  if (url.hash || uri.includes("#")) return "must not contain a fragment";
  if (url.username || url.password) return "must not contain credentials";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") return isLoopbackHost(url.hostname) ? null : "must use https (http only on 127.0.0.1, [::1] or localhost)";
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return "uses a scheme that is not allowed";
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name, so it contains a dot.
  return url.protocol.slice(0, -1).includes(".") ? null : "private-use schemes must be reverse domain names (e.g. com.example.app:/callback)";
}

/** True when `requested` is one of `registered`, exactly, or differs from a loopback one only in the port. */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const req = parse(requested);
  if (!req || req.protocol !== "http:" || !isLoopbackHost(req.hostname) || requested.includes("#")) return false;
  return registered.some((candidate) => {
    const reg = parse(candidate);
    if (!reg || reg.protocol !== "http:" || reg.hostname !== req.hostname) return false;
    // RFC 8252 §7.3: the port is chosen by the app at request time; everything else must be identical.
    return reg.pathname === req.pathname && reg.search === req.search && reg.username === req.username;
  });
}

/** The host a user sees on the consent page ("where it will send you"). */
export function redirectHost(uri: string): string {
  const url = parse(uri);
  if (!url) return uri;
  return url.host || `${url.protocol}${url.pathname}`;
}
