/**
 * The connection doctor's self-check (issue 17, docs/architecture.md: Connection doctor): Portico walks its
 * own public URL the way a host does when a user pastes the project URL — MCP Authorization 2025-11-25
 * §"Authorization Server Discovery":
 *   1. an unauthenticated POST `initialize` to the MCP URL → 401 with `WWW-Authenticate: Bearer resource_metadata="…"`;
 *   2. that protected resource metadata (RFC 9728) → `resource` and `authorization_servers[0]`;
 *   3. the authorization server's metadata at the RFC 8414 well-known path (and OpenID Connect Discovery's,
 *      which 2025-11-25 hosts try next, when it is served);
 * and checks what hosts refuse or trip over: URLs that disagree with the public URL (a proxy or another
 * instance answering), endpoints on another origin, http in front, a port other than 443, no RFC 9207 `iss`.
 *
 * Each step has a short timeout: a check must not hang a page, a tool call or the CLI. Behind a proxy the
 * server may not be able to reach its own public URL (no hairpin NAT, split DNS); that is reported as one
 * failed item saying so, not as a crash.
 *
 * What it fetches: the public URL (operator configuration, not user input) and the URLs the answers point
 * to, as a host would follow them — so a misrouted public URL shows where it leads. Redirects are never
 * followed (hosts do not follow them on POST either); bodies are read within the same timeout. This is not
 * the guarded outbound fetch of tools and CIMD (src/lib/safe-fetch.ts), which refuses Portico's own origin
 * and loopback by design: those guards stay as they are.
 */
import type { SelfCheckItem } from "./report";
import { HTTPS_GUIDE, isLoopbackOrLocal } from "../lib/hosted-reach";

/** What the self-check walks: the public URL and the project's two MCP URLs. */
export interface SelfCheckTarget {
  publicUrl: string;
  org: string;
  project: string;
  /** A public project's production answers without a token (no 401): the walk starts at the draft URL. */
  productionPublic: boolean;
}

/** `fetch`'s shape; the server passes the global one. */
export type SelfCheckFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface SelfCheckOptions {
  fetch?: SelfCheckFetch;
  /** Per request, body included. @default 3000 */
  timeoutMs?: number;
  /** For the whole walk (up to eight requests), so a public URL that answers slowly cannot hold a tool call for long. @default 10000 */
  budgetMs?: number;
}

/** The time limits of one walk: per request, and the whole walk's signal. */
interface Limits {
  timeoutMs: number;
  budgetMs: number;
  overall: AbortSignal;
}

/** Sent with every self-check request, so its own steps can be told apart from a host's in the event log. */
export const SELF_CHECK_USER_AGENT = "Portico-self-check/1";

/** The project's MCP URL on a channel (the same rule as `channelUrl` in src/projects/projects.ts). */
function mcpUrl(t: SelfCheckTarget, channel: "production" | "draft"): string {
  return `${t.publicUrl}/${t.org}/${t.project}${channel === "draft" ? "/draft" : ""}`;
}

/** RFC 9728 §3: the metadata URL inserts the well-known segment before the resource's path. */
function expectedResourceMetadataUrl(t: SelfCheckTarget, channel: "production" | "draft"): string {
  return `${t.publicUrl}/.well-known/oauth-protected-resource/${t.org}/${t.project}${channel === "draft" ? "/draft" : ""}`;
}

/** RFC 8414 §3.1: `/.well-known/oauth-authorization-server` goes between the issuer's host and its path. */
export function authorizationServerMetadataUrl(issuer: string): string {
  const u = new URL(issuer);
  const path = u.pathname === "/" ? "" : u.pathname.replace(/\/$/, "");
  return `${u.origin}/.well-known/oauth-authorization-server${path}`;
}

/** OpenID Connect Discovery 1.0 §4: `/.well-known/openid-configuration` appended to the issuer. */
function openIdConfigurationUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
}

type Fetched = { ok: true; status: number; headers: Headers; text: string } | { ok: false; reason: string };

function errorReason(err: unknown, limits: Limits): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (limits.overall.aborted) return `the self-check ran out of its ${limits.budgetMs / 1000} s`;
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${limits.timeoutMs / 1000} s`;
  const code = typeof e?.code === "string" ? e.code : null;
  const message = typeof e?.message === "string" ? e.message : String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

async function fetchOnce(f: SelfCheckFetch, url: string, init: RequestInit, limits: Limits): Promise<Fetched> {
  // Only web URLs are followed: an answer naming file:, data: or anything else is reported, never fetched.
  if (!URL.canParse(url) || !["http:", "https:"].includes(new URL(url).protocol)) return { ok: false, reason: `${url} is not an http(s) URL` };
  try {
    const res = await f(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.overall]),
      headers: { "user-agent": SELF_CHECK_USER_AGENT, ...(init.headers as Record<string, string> | undefined) },
    });
    return { ok: true, status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    return { ok: false, reason: errorReason(err, limits) };
  }
}

/** A JSON object from a 200 answer, or why there is none (in words). */
function jsonObject(r: Fetched & { ok: true }): { doc: Record<string, unknown> } | { why: string } {
  if (r.status >= 300 && r.status < 400) return { why: `it answered ${r.status}, a redirect to ${r.headers.get("location") ?? "nowhere"}, and hosts do not follow redirects here` };
  if (r.status !== 200) return { why: `it answered ${r.status} instead of 200` };
  try {
    const doc = JSON.parse(r.text) as unknown;
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return { doc: doc as Record<string, unknown> };
  } catch {
    // Falls through: an HTML error page from a proxy is the usual case.
  }
  return { why: "it answered 200 but not with a JSON object (a proxy's or another server's page?)" };
}

/** `resource_metadata="…"` from a `WWW-Authenticate: Bearer …` header (RFC 9728 §5.1). */
function resourceMetadataParam(header: string | null): string | null {
  return header ? (/resource_metadata="([^"]*)"/i.exec(header)?.[1] ?? null) : null;
}

const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v ?? null));

/** The fix for a document that names another URL than the public URL, the usual cause being named. */
const WRONG_URL_FIX =
  "Whatever answers at the public URL believes its address is different: set PORTICO_PUBLIC_URL (--public-url) on the server hosts reach to exactly the URL they use, " +
  "and check that the reverse proxy in front sends requests to this server.";

/** What the public URL itself says before anything is fetched: https in front, port 443. */
function urlItems(publicUrl: string): SelfCheckItem[] {
  const u = new URL(publicUrl);
  const local = isLoopbackOrLocal(u.hostname);
  const https = u.protocol === "https:";
  const port = Number(u.port || (https ? 443 : 80));
  const localNote = `${u.hostname} is this computer's own address: hosts on this computer (MCP Inspector, Claude Code, mcp-remote) can connect; Claude, ChatGPT and other hosted apps cannot — for them see ${HTTPS_GUIDE}.`;
  return [
    {
      id: "https",
      // MCP Authorization 2025-11-25 §"Communication Security": authorization endpoints MUST be https, except loopback.
      ok: https || local,
      title: https || !local ? "Hosts reach Portico over https" : "http is allowed: the public URL is this computer's own address",
      detail: https
        ? `The public URL ${publicUrl} uses https.`
        : local
          ? `The public URL ${publicUrl} uses http, which MCP allows only on this computer's own address. ${localNote}`
          : `The public URL ${publicUrl} uses http: hosts refuse to sign in over it. Put an https reverse proxy in front and set PORTICO_PUBLIC_URL to its https:// address (${HTTPS_GUIDE}).`,
    },
    {
      id: "port-443",
      ok: port === 443 || local,
      title: port === 443 || !local ? "The public URL is on port 443" : "Any port works on this computer's own address",
      detail:
        port === 443
          ? `The public URL ${publicUrl} uses port 443.`
          : local
            ? `The public URL uses port ${port}; hosted apps would need 443, but they cannot reach ${u.hostname} anyway (see above).`
            : `The public URL ${publicUrl} uses port ${port}: Claude, ChatGPT and other hosted apps connect only on 443. Serve https on port 443 in front (a reverse proxy) and set PORTICO_PUBLIC_URL without a port.`,
    },
  ];
}

/**
 * Runs the self-check against `target`; the items in the order a host meets them. A failed step the rest
 * depends on ends the walk there (its item says why), so the list can be shorter than a full one.
 */
export async function runSelfCheck(target: SelfCheckTarget, opts: SelfCheckOptions = {}): Promise<SelfCheckItem[]> {
  const f = opts.fetch ?? ((url, init) => fetch(url, init));
  const budgetMs = opts.budgetMs ?? 10_000;
  const limits: Limits = { timeoutMs: opts.timeoutMs ?? 3000, budgetMs, overall: AbortSignal.timeout(budgetMs) };
  const items = urlItems(target.publicUrl);
  const add = (id: string, ok: boolean, title: string, detail: string) => items.push({ id, ok, title, detail });
  const get = (url: string) => fetchOnce(f, url, { method: "GET", headers: { accept: "application/json" } }, limits);
  const own = new URL(target.publicUrl).origin;
  const unreachable = (url: string, reason: string) =>
    URL.canParse(url) && new URL(url).origin === own
      ? `Fetching ${url} failed: the server cannot reach its own public URL: ${reason}; behind a proxy, this can be normal — check from outside (curl -i ${url} from another machine).`
      : `Fetching ${url} failed: ${reason}. Hosts are sent there by the answer at the public URL, which should name ${own} instead. ${WRONG_URL_FIX}`;

  const channel = target.productionPublic ? "draft" : "production";
  const url = mcpUrl(target, channel);

  // 1. The MCP URL, unauthenticated, as a host's first request.
  const challengeTitle = `The ${channel} MCP URL asks hosts to sign in (401 with resource_metadata)`;
  const challenge = await postInitialize(f, url, limits);
  if (!challenge.ok) {
    add("mcp-challenge", false, challengeTitle, unreachable(url, challenge.reason));
    return items;
  }
  const rm = resourceMetadataParam(challenge.headers.get("www-authenticate"));
  if (challenge.status !== 401 || !rm) {
    const seen =
      challenge.status >= 300 && challenge.status < 400
        ? `a redirect (${challenge.status}) to ${challenge.headers.get("location") ?? "nowhere"}, which hosts do not follow on POST — set PORTICO_PUBLIC_URL to the address it redirects to`
        : challenge.status === 401
          ? "401 without resource_metadata in WWW-Authenticate, so hosts cannot find where to sign in — a proxy in front may be replacing Portico's answer; pass it through unchanged"
          : `${challenge.status} instead of 401 — something else answers at the public URL (a proxy's page, another server), or PORTICO_PUBLIC_URL names the wrong address`;
    add("mcp-challenge", false, challengeTitle, `POST ${url} (initialize, no token) answered ${seen}.`);
    return items;
  }
  add("mcp-challenge", true, challengeTitle, `POST ${url} (initialize, no token) → 401, resource_metadata ${rm}.`);

  // 2. The protected resource metadata, where the 401 pointed.
  const prmTitle = "The protected resource metadata (RFC 9728) is served where the 401 points";
  const expectedRm = expectedResourceMetadataUrl(target, channel);
  const prm = await get(rm);
  if (!prm.ok) {
    add("resource-metadata", false, prmTitle, unreachable(rm, prm.reason));
    return items;
  }
  const prmDoc = jsonObject(prm);
  if ("why" in prmDoc) {
    add("resource-metadata", false, prmTitle, `GET ${rm}: ${prmDoc.why}.`);
    return items;
  }
  add(
    "resource-metadata",
    rm === expectedRm,
    prmTitle,
    rm === expectedRm ? `GET ${rm} → 200.` : `The 401 points to ${rm}, not ${expectedRm}. ${WRONG_URL_FIX}`,
  );

  // 3. `resource` must be byte-identical to the URL the host was given (RFC 9728 §3.3), or it stops.
  const resource = prmDoc.doc.resource;
  add(
    "resource",
    resource === url,
    "The metadata's resource is the MCP URL",
    resource === url ? `resource is ${url}.` : `resource is ${text(resource)}, but hosts were given ${url}; they refuse metadata for another resource (RFC 9728 §3.3). ${WRONG_URL_FIX}`,
  );

  // 4. The authorization server it names: Portico is its own, at the public URL.
  const servers = prmDoc.doc.authorization_servers;
  const as = Array.isArray(servers) && typeof servers[0] === "string" ? servers[0] : null;
  const asTitle = "The metadata names this server as the authorization server";
  if (!as) {
    add("authorization-server", false, asTitle, `${rm} names no authorization_servers, so hosts cannot sign in. ${WRONG_URL_FIX}`);
    return items;
  }
  add("authorization-server", as === target.publicUrl, asTitle, as === target.publicUrl ? `authorization_servers[0] is ${as}.` : `authorization_servers[0] is ${as}, not the public URL ${target.publicUrl}. ${WRONG_URL_FIX}`);

  // 5. Its metadata at the RFC 8414 path; the OpenID Connect path, when served, must agree.
  const asmUrl = authorizationServerMetadataUrl(as);
  const asmTitle = "The authorization server metadata (RFC 8414) is served";
  const asm = await get(asmUrl);
  const asmDoc = asm.ok ? jsonObject(asm) : null;
  const oidcUrl = openIdConfigurationUrl(as);
  const oidc = await get(oidcUrl);
  const oidcDoc = oidc.ok && oidc.status === 200 ? jsonObject(oidc) : null;
  if (!asm.ok) add("as-metadata", false, asmTitle, unreachable(asmUrl, asm.reason));
  else if ("why" in asmDoc!) add("as-metadata", false, asmTitle, `GET ${asmUrl}: ${asmDoc!.why}; hosts look for it there first.`);
  else add("as-metadata", true, asmTitle, `GET ${asmUrl} → 200.`);
  const asDoc = asmDoc && "doc" in asmDoc ? asmDoc.doc : oidcDoc && "doc" in oidcDoc ? oidcDoc.doc : null;
  if (oidcDoc && "doc" in oidcDoc) {
    const same = oidcDoc.doc.issuer === as;
    add("oidc-metadata", same, "The OpenID Connect discovery document agrees", same ? `GET ${oidcUrl} → 200, issuer ${as}.` : `GET ${oidcUrl} names issuer ${text(oidcDoc.doc.issuer)}, not ${as}. ${WRONG_URL_FIX}`);
  }
  if (!asDoc) return items;

  // 6. RFC 8414 §3.3: the issuer in the document is identical to the one the metadata was fetched for.
  const issuer = asDoc.issuer;
  const issuerOk = issuer === as && issuer === target.publicUrl;
  add(
    "issuer",
    issuerOk,
    "The issuer equals the advertised authorization server and the public URL",
    issuerOk
      ? `issuer is ${as}.`
      : issuer !== as
        ? `issuer is ${text(issuer)}, but the resource metadata names ${as}: hosts refuse a mismatch (RFC 8414 §3.3). ${WRONG_URL_FIX}`
        : `issuer is ${text(issuer)}, not the public URL ${target.publicUrl}. ${WRONG_URL_FIX}`,
  );

  // 7. Every endpoint on the issuer's origin: one origin, the issuer (docs/architecture.md: URLs).
  const origin = typeof issuer === "string" && URL.canParse(issuer) ? new URL(issuer).origin : new URL(as).origin;
  const names = ["authorization_endpoint", "token_endpoint", "registration_endpoint", "revocation_endpoint", "jwks_uri"] as const;
  const problems: string[] = [];
  for (const name of names) {
    const v = asDoc[name];
    if (v === undefined) {
      if (name === "authorization_endpoint" || name === "token_endpoint") problems.push(`${name} is missing`);
      continue;
    }
    if (typeof v !== "string" || !URL.canParse(v)) problems.push(`${name} is not a URL (${text(v)})`);
    else if (new URL(v).origin !== origin) problems.push(`${name} is ${v}, on ${new URL(v).origin}`);
  }
  add(
    "endpoints-origin",
    problems.length === 0,
    "Every endpoint is on the issuer's origin",
    problems.length === 0
      ? `authorization, token, registration, revocation and jwks are on ${origin}.`
      : `${problems.join("; ")} — not on the issuer's origin ${origin}. ${WRONG_URL_FIX}`,
  );

  // 8. RFC 9207: ChatGPT chooses its shared callback only when `iss` is advertised (FACTS: what hosts send).
  const iss = asDoc.authorization_response_iss_parameter_supported === true;
  add(
    "iss-parameter",
    iss,
    "The authorization response carries iss (RFC 9207)",
    iss
      ? "authorization_response_iss_parameter_supported is true."
      : `authorization_response_iss_parameter_supported is ${text(asDoc.authorization_response_iss_parameter_supported)}: Portico always sends it, so another server answers here. ${WRONG_URL_FIX}`,
  );

  // 9. The draft URL walks the same first two steps with its own metadata.
  if (channel === "production") items.push(await draftItem(f, target, limits, get, unreachable));
  return items;
}

function postInitialize(f: SelfCheckFetch, url: string, limits: Limits): Promise<Fetched> {
  return fetchOnce(f, url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "portico-self-check", version: "1" } },
    }),
  }, limits);
}

async function draftItem(
  f: SelfCheckFetch,
  target: SelfCheckTarget,
  limits: Limits,
  get: (url: string) => Promise<Fetched>,
  unreachable: (url: string, reason: string) => string,
): Promise<SelfCheckItem> {
  const url = mcpUrl(target, "draft");
  const item = (ok: boolean, detail: string): SelfCheckItem => ({ id: "draft-url", ok, title: "The draft MCP URL has its own metadata", detail });
  const challenge = await postInitialize(f, url, limits);
  if (!challenge.ok) return item(false, unreachable(url, challenge.reason));
  const rm = resourceMetadataParam(challenge.headers.get("www-authenticate"));
  if (challenge.status !== 401 || !rm) return item(false, `POST ${url} (initialize, no token) answered ${challenge.status}${challenge.status === 401 ? " without resource_metadata" : " instead of 401"}.`);
  const expected = expectedResourceMetadataUrl(target, "draft");
  if (rm !== expected) return item(false, `The draft URL's 401 points to ${rm}, not ${expected}. ${WRONG_URL_FIX}`);
  const prm = await get(rm);
  if (!prm.ok) return item(false, unreachable(rm, prm.reason));
  const doc = jsonObject(prm);
  if ("why" in doc) return item(false, `GET ${rm}: ${doc.why}.`);
  if (doc.doc.resource !== url) return item(false, `${rm} names resource ${text(doc.doc.resource)}, not ${url}: a draft token would be refused. ${WRONG_URL_FIX}`);
  return item(true, `POST ${url} → 401; GET ${rm} → 200, resource ${url}.`);
}
