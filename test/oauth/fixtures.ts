/**
 * OAuth test fixtures: the seeded world (test/fixtures/world.ts) with a second project, a public DCR
 * client, PKCE pairs, and the authorize → consent → code → token walk over `app.handle`.
 */
import type { App } from "../../src/app";
import type { Deps } from "../../src/deps";
import { getUser } from "../../src/auth/users";
import { s256 } from "../../src/lib/crypto";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { afterEach, beforeEach, setSystemTime } from "bun:test";
import { BASE, hiddenField, makeApp, postForm, req, type TestApp } from "../helpers";
import { EXAMPLE_EMAILS, seedWorld as seedBaseWorld, signIn } from "../fixtures/world";
import { ECHO_TOOL } from "../mcp/fixture";

export { PASSWORD, signIn } from "../fixtures/world";
export const REDIRECT = "http://127.0.0.1:33418/callback";

/** The seeded world (test/fixtures/world.ts) with a second project `crm`; nobody is signed in yet. */
export async function seedWorld(deps: Deps) {
  const w = await seedBaseWorld(deps, {
    emails: EXAMPLE_EMAILS,
    projects: [{ slug: "shop", name: "Shop" }, { slug: "crm", name: "CRM" }],
    sessions: false,
  });
  const { outsider, ...users } = w.users;
  return { users, outsider, org: w.org, shop: w.projects.shop!, crm: w.projects.crm!, url: w.url };
}
export type World = Awaited<ReturnType<typeof seedWorld>>;

/** Registers hooks giving each test a fresh app with a seeded world (and the real clock back afterwards). */
export function worldPerTest(): { t: TestApp; w: World } {
  const ctx = {} as { t: TestApp; w: World };
  beforeEach(async () => {
    ctx.t = await makeApp();
    ctx.w = await seedWorld(ctx.t.deps);
  });
  afterEach(() => {
    setSystemTime();
    return ctx.t.close();
  });
  return ctx;
}

export function pkce(verifier = crypto.randomUUID() + crypto.randomUUID()) {
  return { verifier, challenge: s256(verifier) };
}

export async function registerClient(app: App, body: Record<string, unknown> = {}) {
  const res = await req(app, "/oauth/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "Test App", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", ...body }),
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { client_id: string; client_secret?: string };
}

export function authorizePath(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return `/oauth/authorize?${q}`;
}

/** Standard authorize parameters for `clientId` on `resource`. */
export function authorizeParams(clientId: string, challenge: string, resource: string | undefined, extra: Record<string, string | undefined> = {}) {
  return {
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-123",
    resource,
    ...extra,
  };
}

/** Opens the consent page and returns its form fields (or the raw response when it is not a consent page). */
export async function openConsent(app: App, path: string, cookie: string) {
  const res = await req(app, path, { headers: { cookie } });
  const html = await res.text();
  return { res, html, requestId: hiddenField(html, "request_id"), csrf: hiddenField(html, "csrf") };
}

/** Approves on the consent page; returns the redirect Location as a URL. */
export async function approve(app: App, path: string, cookie: string, extra: Record<string, string> = {}): Promise<URL> {
  const page = await openConsent(app, path, cookie);
  if (!page.requestId || !page.csrf) throw new Error(`no consent form (${page.res.status}): ${page.html.slice(0, 400)}`);
  const res = await postForm(app, "/oauth/authorize", { request_id: page.requestId, csrf: page.csrf, decision: "approve", ...extra }, cookie);
  const location = res.headers.get("location");
  if (res.status !== 303 || !location) throw new Error(`consent did not redirect: ${res.status} ${await res.text()}`);
  return new URL(location);
}

export function tokenRequest(app: App, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return req(app, "/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Everything up to a token pair for `userId` on `resource`. */
export async function obtainTokens(app: App, deps: Deps, userId: string, resource: string) {
  const client = await registerClient(app);
  const { verifier, challenge } = pkce();
  const { cookie, session } = await signIn(deps, (await getUser(deps.db, userId)).email);
  const location = await approve(app, authorizePath(authorizeParams(client.client_id, challenge, resource)), cookie);
  const code = location.searchParams.get("code")!;
  const res = await tokenRequest(app, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    client_id: client.client_id,
    resource,
  });
  const tokens = (await res.json()) as { access_token: string; refresh_token: string; scope: string; expires_in: number };
  return { client, tokens, session, cookie, code, verifier };
}

/**
 * The echo tool published on `shop`, a developer's tokens for it, and `call()`: one tools/call with that
 * bearer, answering its status and WWW-Authenticate challenge — for tests of what ends a token's use.
 */
export async function echoWithToken(t: TestApp, w: World) {
  await createDraftTool(t.deps, w.shop.id, ECHO_TOOL);
  await publish(t.deps, w.shop.id, w.users.owner.id);
  const obtained = await obtainTokens(t.app, t.deps, w.users.developer.id, w.url("shop"));
  const call = async () => {
    const res = await req(t.app, "/acme/shop", {
      method: "POST",
      headers: { authorization: `Bearer ${obtained.tokens.access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } }),
    });
    return { status: res.status, challenge: res.headers.get("www-authenticate") ?? "" };
  };
  return { ...obtained, call };
}

export { BASE };
