/**
 * Outbound HTTP for untrusted URLs (CIMD documents, script-tool fetch, http tools). docs/architecture.md "Tools: runtime
 * safety" and the CIMD rules: https only, DNS resolved and every answer checked against `isAddressAllowed`,
 * the checked address pinned for the connection (no second lookup an attacker could rebind), redirects
 * followed by hand with the same checks on every hop, Portico's own origin refused, size and time capped.
 *
 * Pinning: Bun's fetch connects to the URL's host, so we put the checked IP in the URL and send the real
 * name as `Host` and as the TLS `serverName` — Bun verifies the certificate against `serverName`
 * (measured on Bun 1.4.5: a certificate for another name fails with ERR_TLS_CERT_ALTNAME_INVALID).
 *
 * Outbound proxy (issue 12, src/lib/outbound-proxy.ts): the same checks run first, then Bun's `proxy`
 * option opens the tunnel. Measured on Bun 1.4.5: with the checked IP in the URL, Bun sends
 * `CONNECT <ip>:<port>` (`[v6]:port` for IPv6) and still verifies the certificate against `tls.serverName`;
 * a proxy refusing the tunnel fails with ERR_PROXY_TUNNEL; a plain-http target is sent in absolute form
 * (`GET http://<ip>:<port>/… ` with the real `Host`). A refused target never reaches the proxy.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isAddressAllowed } from "./ip-policy";
import { proxyRoute, type OutboundProxy } from "./outbound-proxy";

/**
 * Base class: every refusal or failure of `safeFetch` is one of its subclasses. `message` is shown to
 * whoever named the URL (a CIMD client_id's consent page, a tool's caller), so it never carries an address
 * Portico resolved or was redirected to (issue 11 #9: "resolves to … (127.0.0.1)" mapped internal DNS for
 * anyone); `detail` has that for the server's own logs.
 */
export class SafeFetchError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
/** Refused by policy before connecting: scheme, address, origin or redirect. */
export class FetchBlockedError extends SafeFetchError {}
/** The whole exchange (DNS, every hop, the body) did not finish within `timeoutMs`. */
export class FetchTimeoutError extends SafeFetchError {}
/** The response body is larger than `maxBytes`. */
export class FetchTooLargeError extends SafeFetchError {}
/** DNS failure, refused connection, TLS failure, or the caller's signal aborted the request. */
export class FetchNetworkError extends SafeFetchError {}

export interface Resolved {
  address: string;
  family: number;
}

export interface SafeFetchOptions {
  /** Tests only: admit 127.0.0.0/8 and ::1 (never other private ranges). */
  allowLoopback: boolean;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  maxBytes: number;
  /** Redirects to follow, each re-checked; 0 refuses any redirect. @default 3 */
  maxRedirects?: number;
  /** Admit `http:` URLs (tests against loopback listeners). */
  allowHttp?: boolean;
  /** Origins never fetched, e.g. Portico's own public URL. */
  blockedOrigins?: string[];
  /** An extra per-hop policy (e.g. a tool's allowed domains): returns why `url` is refused, or undefined. */
  refuseUrl?: (url: URL) => string | undefined;
  /** Aborts the request (client cancelled the tool call). */
  signal?: AbortSignal;
  /** Extra trusted CA certificates in PEM (private CAs, tests). */
  ca?: string;
  /** DNS resolver; defaults to the system's (`getaddrinfo`, all addresses). */
  resolve?: (hostname: string) => Promise<Resolved[]>;
  /** The operator's outbound proxy (config `https-proxy`, `http-proxy`, `no-proxy`); none: direct. */
  proxy?: OutboundProxy;
}

export interface SafeFetchResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The final URL after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Fetch spec §4.4: credentials are not carried to another origin on a redirect. */
const CROSS_ORIGIN_DROPPED = new Set(["authorization", "cookie", "proxy-authorization"]);

const systemResolve = (hostname: string): Promise<Resolved[]> => lookup(hostname, { all: true, verbatim: true });

/** Fetches `url` under the policy above; throws a `SafeFetchError` subclass on any refusal or failure. */
export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeFetchResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (opts.signal?.aborted) throw new FetchNetworkError("request aborted");
    return await fetchHops(url, opts, controller.signal);
  } catch (err) {
    if (timedOut) throw new FetchTimeoutError(`no complete response within ${opts.timeoutMs} ms`);
    if (err instanceof SafeFetchError) throw err;
    if (opts.signal?.aborted) throw new FetchNetworkError("request aborted");
    throw new FetchNetworkError(networkMessage(err));
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

async function fetchHops(startUrl: string, opts: SafeFetchOptions, signal: AbortSignal): Promise<SafeFetchResponse> {
  const maxRedirects = opts.maxRedirects ?? 3;
  let url = parseUrl(startUrl);
  let method = (opts.method ?? "GET").toUpperCase();
  let body = opts.body;
  // Fetch spec "forbidden request-header" names: `Proxy-*` is for the operator's proxy (issue 12), never
  // set by whoever named the URL (a script could otherwise speak to the proxy as someone else).
  const headers = Object.fromEntries(
    Object.entries(opts.headers ?? {})
      .map(([k, v]) => [k.toLowerCase(), v])
      .filter(([k]) => !k!.startsWith("proxy-")),
  );
  for (let hop = 0; ; hop++) {
    checkUrl(url, opts);
    const address = await resolveChecked(url.hostname, opts, signal);
    await refuseOwnAddress(url, address, opts, signal);
    const res = await connectPinned(url, address, { method, headers, body, ca: opts.ca, proxy: opts.proxy, signal });
    if (!REDIRECTS.has(res.status)) {
      return { status: res.status, headers: res.headers, body: await readCapped(res, opts.maxBytes), url: url.href };
    }
    await res.body?.cancel();
    const location = res.headers.get("location");
    if (!location) throw new FetchBlockedError(`redirect ${res.status} without a Location header`);
    if (maxRedirects === 0) throw new FetchBlockedError("redirects are not followed", `to ${safeLocation(location, url)}`);
    if (hop >= maxRedirects) throw new FetchBlockedError(`more than ${maxRedirects} redirects`);
    const next = parseUrl(location, url);
    if (next.origin !== url.origin) for (const h of CROSS_ORIGIN_DROPPED) delete headers[h];
    // Fetch spec §4.4 step 12: 303, and 301/302 after POST, become a GET without a body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      if (method !== "HEAD") method = "GET";
      body = undefined;
      delete headers["content-type"];
    }
    url = next;
  }
}

function parseUrl(raw: string, base?: URL): URL {
  try {
    return new URL(raw, base);
  } catch {
    throw new FetchBlockedError("not a valid URL");
  }
}

function safeLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).origin;
  } catch {
    return "an invalid URL";
  }
}

function checkUrl(url: URL, opts: SafeFetchOptions): void {
  if (url.protocol !== "https:" && !(url.protocol === "http:" && opts.allowHttp)) {
    throw new FetchBlockedError(`${url.protocol.replace(":", "")} URLs are not allowed, use https`);
  }
  if (url.username || url.password) throw new FetchBlockedError("URLs with credentials are not allowed");
  if (opts.blockedOrigins?.some((o) => sameEndpoint(parseUrl(o), url.hostname, url))) throw new FetchBlockedError("that address is Portico itself");
  const refused = opts.refuseUrl?.(url);
  if (refused) throw new FetchBlockedError(refused);
}

/** The port a URL connects to (its explicit port or the scheme's default). */
const effectivePort = (u: URL) => u.port || (u.protocol === "https:" ? "443" : "80");

/** Host names compare case-insensitively and without the root label's trailing dot (`Portico.Example.com.`). */
const normalHost = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.+$/, "");

/** True when `host` (a name or an address) on `url`'s port is the blocked origin's endpoint. */
function sameEndpoint(blocked: URL, host: string, url: URL): boolean {
  return normalHost(blocked.hostname) === normalHost(host) && effectivePort(blocked) === effectivePort(url);
}

/**
 * Portico's own origin is refused by address as well as by name (issue 11 #16): another name for the same
 * host, or its public IP, must not reach it either. The blocked origins' names are resolved with the same
 * resolver and compared with the address this hop is pinned to, on the same port.
 */
async function refuseOwnAddress(url: URL, pinned: Resolved, opts: SafeFetchOptions, signal: AbortSignal): Promise<void> {
  for (const origin of opts.blockedOrigins ?? []) {
    const blocked = parseUrl(origin);
    if (effectivePort(blocked) !== effectivePort(url)) continue;
    const host = normalHost(blocked.hostname);
    let own: Resolved[];
    try {
      own = isIP(host) ? [{ address: host, family: isIP(host) }] : await (opts.resolve ?? systemResolve)(host);
    } catch {
      continue; // our own name does not resolve here: nothing to compare with
    }
    if (signal.aborted) throw new FetchNetworkError("request aborted");
    if (own.some((a) => canonicalIp(a.address) === canonicalIp(pinned.address))) throw new FetchBlockedError("that address is Portico itself");
  }
}

/** One spelling per address: IPv6 fully expanded in lowercase hex, IPv4-mapped IPv6 (either spelling) as IPv4. */
function canonicalIp(ip: string): string {
  let bare = ip.replace(/^\[|\]$/g, "").split("%")[0]!.toLowerCase();
  if (isIP(bare) !== 6) return bare;
  const dotted = bare.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    bare = bare.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = bare.split("::") as [string, string | undefined];
  const parts = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = parts(head);
  const t = tail === undefined ? [] : parts(tail);
  const g = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  return g.map((x) => x.toString(16)).join(":");
}

/** Resolves the host and refuses it if ANY answer is disallowed (a mixed answer is a rebinding tell). */
async function resolveChecked(hostname: string, opts: SafeFetchOptions, signal: AbortSignal): Promise<Resolved> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  let answers: Resolved[];
  if (isIP(bare)) answers = [{ address: bare, family: isIP(bare) }];
  else {
    // getaddrinfo cannot be cancelled: race it against the request's deadline.
    const aborted = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    try {
      answers = await Promise.race([(opts.resolve ?? systemResolve)(bare), aborted]);
    } catch (err) {
      if (signal.aborted) throw err;
      throw new FetchNetworkError(`could not resolve ${bare}`);
    }
  }
  if (answers.length === 0) throw new FetchNetworkError(`could not resolve ${bare}`);
  const refused = answers.find((a) => !isAddressAllowed(a.address, opts.allowLoopback));
  if (refused) throw new FetchBlockedError(`${bare} resolves to a private or reserved address`, `resolved to ${refused.address}`);
  return answers[0]!;
}

interface HopInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  ca?: string;
  proxy?: OutboundProxy;
  signal: AbortSignal;
}

/** One request to exactly `address`, carrying the real host name in `Host` and TLS SNI/verification. */
function connectPinned(url: URL, address: Resolved, init: HopInit): Promise<Response> {
  const target = new URL(url.href);
  const isLiteral = isIP(url.hostname.replace(/^\[|\]$/g, "")) !== 0;
  target.hostname = address.family === 6 ? `[${address.address}]` : address.address;
  const tls: Record<string, unknown> = {};
  if (!isLiteral && url.protocol === "https:") tls.serverName = url.hostname;
  if (init.ca) tls.ca = init.ca;
  return fetch(target.href, {
    method: init.method,
    headers: { ...init.headers, host: url.host },
    body: init.body,
    redirect: "manual",
    signal: init.signal,
    // Never Bun's own reading of HTTP(S)_PROXY (it would connect by name, unchecked): only the configured
    // proxy, asked to CONNECT to the checked address, or a direct connection.
    proxy: proxyRoute(url, address.address, init.proxy),
    tls,
  } as RequestInit);
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new FetchTooLargeError(`response is larger than ${maxBytes} bytes`);
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FetchTooLargeError(`response is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** A short, URL-free description of a connection failure (never the raw error text). */
function networkMessage(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code === "ERR_PROXY_TUNNEL") {
    // Bun's text is "Proxy refused to open a tunnel: 407 Proxy Authentication Required": keep the status only.
    const status = /\b([1-5]\d\d)\b/.exec(String((err as Error).message ?? ""))?.[1];
    return `the outbound proxy refused the connection${status ? ` (HTTP ${status})` : ""}`;
  }
  return typeof code === "string" ? `connection failed (${code})` : "connection failed";
}
