/**
 * A browser-less OAuth client for a real Portico listener: sign in with the login form, register by DCR,
 * approve on the consent page, exchange the code, refresh, revoke — plain HTTP, as a host's backend and
 * a user's browser would send it. Used where a headless chromium would only add time (security, faults, soak).
 */
import { s256 } from "../../../src/lib/crypto";
import { CookieJar, hiddenField } from "../../helpers";

export const REDIRECT_URI = "http://127.0.0.1:45999/callback";

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/** GET /login, then POST it; resolves to the jar holding the session cookie (throws on a refusal). */
export async function signIn(base: string, email: string, password: string, jar = new CookieJar()): Promise<CookieJar> {
  const res = await loginAttempt(base, email, password, jar);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return jar;
}

/** One sign-in POST with a fresh CSRF pair in `jar`; returns the raw response (303 on success). */
export async function loginAttempt(base: string, email: string, password: string, jar = new CookieJar(), returnTo?: string): Promise<Response> {
  const form = jar.store(await fetch(`${base}/login`, { headers: { cookie: jar.header } }));
  const csrf = hiddenField(await form.text(), "csrf");
  if (!csrf) throw new Error(`no login form (${form.status})`);
  const fields: Record<string, string> = { csrf, email, password, ...(returnTo !== undefined ? { return_to: returnTo } : {}) };
  return jar.store(
    await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header },
      body: new URLSearchParams(fields),
    }),
  );
}

export async function registerClient(base: string, body: Record<string, unknown> = {}): Promise<{ client_id: string }> {
  const res = await fetch(`${base}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "E2E Host", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none", ...body }),
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ client_id: string }>;
}

export function authorizeUrl(base: string, params: Record<string, string>): string {
  return `${base}/oauth/authorize?${new URLSearchParams(params)}`;
}

/** Authorize → consent (approve) → code → tokens for the signed-in user in `jar`. */
export async function obtainTokens(base: string, jar: CookieJar, resource: string, clientId?: string): Promise<TokenPair & { clientId: string }> {
  const client_id = clientId ?? (await registerClient(base)).client_id;
  const verifier = crypto.randomUUID() + crypto.randomUUID();
  const page = await fetch(
    authorizeUrl(base, { response_type: "code", client_id, redirect_uri: REDIRECT_URI, code_challenge: s256(verifier), code_challenge_method: "S256", state: "e2e", resource }),
    { headers: { cookie: jar.header }, redirect: "manual" },
  );
  const html = await page.text();
  const request_id = hiddenField(html, "request_id");
  const csrf = hiddenField(html, "csrf");
  if (!request_id || !csrf) throw new Error(`no consent page (${page.status}): ${html.slice(0, 300)}`);
  const approved = await fetch(`${base}/oauth/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header },
    body: new URLSearchParams({ request_id, csrf, decision: "approve" }),
  });
  const code = new URL(approved.headers.get("location") ?? "http://x/").searchParams.get("code");
  if (!code) throw new Error(`consent did not return a code: ${approved.status}`);
  const tokens = await tokenCall(base, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id, resource });
  if (tokens.status !== 200) throw new Error(`token exchange failed: ${tokens.status} ${await tokens.text()}`);
  return { ...((await tokens.json()) as TokenPair), clientId: client_id };
}

export function tokenCall(base: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${base}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
}
