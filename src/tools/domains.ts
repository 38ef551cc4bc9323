/**
 * A tool's `allowedDomains` (manifest DomainSchema): `api.example.com` matches that host exactly,
 * `*.example.com` matches any subdomain of it but not `example.com` itself.
 */
export function hostAllowed(hostname: string, allowedDomains: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  return allowedDomains.some((d) => (d.startsWith("*.") ? host.endsWith(d.slice(1)) && host.length > d.length - 1 : host === d));
}

/** The origins an MCP Apps UI may reach, for `_meta.ui.csp` (https only; wildcards kept as CSP host sources). */
export function domainOrigins(allowedDomains: readonly string[]): string[] {
  return allowedDomains.map((d) => `https://${d}`);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * A safeFetch `refuseUrl` policy for tool traffic: plain http only to loopback and only when the
 * test-only `allowLoopbackFetch` is on (safeFetch's `allowHttp` alone would admit any http host).
 */
export function refuseHttpUnlessLoopback(allowLoopbackFetch: boolean): (url: URL) => string | undefined {
  return (url) => (url.protocol === "http:" && !(allowLoopbackFetch && LOOPBACK_HOSTS.has(url.hostname)) ? "only https URLs can be fetched" : undefined);
}
