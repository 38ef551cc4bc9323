/**
 * The outbound proxy (issue 12, "Outbound proxy"): many companies allow egress only through one HTTP proxy,
 * so CIMD fetches, script-tool fetches and http tools go through `HTTPS_PROXY` / `HTTP_PROXY` unless the
 * target matches `NO_PROXY`. The proxy changes the route, never the policy: safe-fetch still resolves the
 * target itself, refuses private/loopback/link-local and Portico's own addresses, and then asks the proxy
 * to `CONNECT <checked IP>:<port>` (TLS still verifies the real host name through SNI / serverName), so a
 * DNS answer that differs at the proxy cannot smuggle in a private target.
 *
 * The proxy itself is NOT policed: it is the operator's own machine, usually on a private or loopback
 * address. Its credentials (`http://user:pass@proxy:3128`) leave the URL here and travel only as a
 * `Proxy-Authorization: Basic` header (RFC 9110 §11.7.1, RFC 7617) to the proxy; error messages never
 * carry the proxy URL.
 *
 * NO_PROXY, comma- or space-separated, case-insensitive (curl's semantics):
 * - `*` alone: no target uses the proxy;
 * - `example.com`, `.example.com`, `*.example.com`: that host and every name below it;
 * - an IP address or CIDR (`203.0.113.7`, `2001:db8::/32`, `[2001:db8::1]`): compared with the address
 *   Portico resolved and pinned for the target;
 * - any of these with `:port` (`example.com:8443`, `[2001:db8::1]:443`): only that port.
 */
import { isIP } from "node:net";
import { inRange, normalizeIp, parseCidr, toBits } from "./cidr";

/** Plain data, so it crosses into sandbox workers by structured clone (src/tools/sandbox/protocol.ts). */
export interface OutboundProxy {
  /** Proxy for https targets (normalized by `parseProxyUrl`), or none. */
  httpsProxy?: string;
  /** Proxy for http targets (only ever used in loopback test mode: production fetches are https only). */
  httpProxy?: string;
  /** NO_PROXY entries as given (validated by `parseNoProxy`). */
  noProxy: string[];
}

/** Bun's `fetch(url, { proxy })` form: the proxy URL without credentials, and the header carrying them. */
export interface ProxyRoute {
  url: string;
  headers?: Record<string, string>;
}

const PROXY_HINT = "must be an http:// proxy URL such as http://proxy.example.com:3128 (optionally with user:password@)";

/**
 * Validates a proxy URL; a value without a scheme (`proxy:3128`, as many environments set it) is taken as
 * `http://`. Only http:// proxies are supported (the tunnel to an https target is TLS end to end anyway).
 * Throws an Error whose message never contains the value (it may carry a password).
 */
export function parseProxyUrl(value: string): string {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(PROXY_HINT);
  }
  if (url.protocol !== "http:" || !url.hostname || (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) throw new Error(PROXY_HINT);
  try {
    decodeURIComponent(url.username + url.password);
  } catch {
    throw new Error("the proxy user name or password has a broken %-escape");
  }
  return url.href.replace(/\/$/, "");
}

/** One NO_PROXY entry, parsed. */
type Rule = { kind: "all" } | { kind: "ip"; cidr: NonNullable<ReturnType<typeof parseCidr>>; port?: string } | { kind: "host"; suffix: string; port?: string };

const HOST = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

function parseRule(entry: string): Rule | null {
  const text = entry.trim().toLowerCase();
  if (text === "*") return { kind: "all" };
  const whole = parseCidr(text);
  if (whole) return { kind: "ip", cidr: whole };
  // `[v6]:port`, `v4:port`, `host:port`; an unbracketed IPv6 address was taken whole above.
  const withPort = text.match(/^\[([^\]]+)\]:(\d{1,5})$/) ?? text.match(/^([^:]+):(\d{1,5})$/);
  const [host, port] = withPort ? [withPort[1]!, withPort[2]!] : [text, undefined];
  if (port !== undefined && Number(port) > 65535) return null;
  const ip = parseCidr(host);
  if (ip) return { kind: "ip", cidr: ip, port };
  const suffix = host.replace(/^\*?\./, "").replace(/\.+$/, "");
  return HOST.test(suffix) ? { kind: "host", suffix, port } : null;
}

/** Validates a NO_PROXY value; throws an Error naming the first entry that is none of the forms above. */
export function parseNoProxy(value: string): string[] {
  const entries = value.split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    if (!parseRule(entry)) throw new Error(`"${entry}" is not a host name, domain, IP address or CIDR range (optionally with :port), nor *`);
  }
  return entries;
}

const effectivePort = (u: URL) => u.port || (u.protocol === "https:" ? "443" : "80");

/** True when `url` (pinned to `address`) matches a NO_PROXY entry and is fetched directly. */
export function bypassesProxy(url: URL, address: string, noProxy: string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.+$/, "");
  const port = effectivePort(url);
  const bits = toBits(normalizeIp(address));
  return noProxy.some((entry) => {
    const rule = parseRule(entry);
    if (!rule) return false;
    if (rule.kind === "all") return true;
    if (rule.port !== undefined && rule.port !== port) return false;
    if (rule.kind === "ip") return bits !== null && inRange(bits, rule.cidr);
    return isIP(host) === 0 && (host === rule.suffix || host.endsWith(`.${rule.suffix}`));
  });
}

/** How to reach `url`, pinned to `address`: through which proxy (and its credentials), or directly (`false`). */
export function proxyRoute(url: URL, address: string, settings: OutboundProxy | undefined): ProxyRoute | false {
  if (!settings) return false;
  const proxy = url.protocol === "https:" ? settings.httpsProxy : settings.httpProxy;
  if (!proxy || bypassesProxy(url, address, settings.noProxy)) return false;
  const parsed = new URL(proxy);
  if (!parsed.username && !parsed.password) return { url: parsed.origin };
  // RFC 7617 §2: user-id ":" password, UTF-8, base64; the URL spelling is percent-encoded.
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  return { url: parsed.origin, headers: { "Proxy-Authorization": `Basic ${Buffer.from(credentials, "utf8").toString("base64")}` } };
}
