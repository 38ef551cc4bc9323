/**
 * OAuth test fixtures: a seeded org/project with users of each role, sign-in by session cookie, a public
 * DCR client, PKCE pairs, and the authorize → consent → code → token walk over `app.handle`.
 */
import type { App } from "../../src/app";
import type { Deps } from "../../src/deps";
import { users as usersTable, type Role, type User } from "../../src/db/schema";
import { hashPassword } from "../../src/auth/passwords";
import { newId } from "../../src/lib/ids";
import { createSession } from "../../src/auth/sessions";
import { SESSION_COOKIE } from "../../src/auth/cookies";
import { addMember, createOrg } from "../../src/projects/orgs";
import { createProject, channelUrl } from "../../src/projects/projects";
import { s256 } from "../../src/lib/crypto";
import { afterEach, beforeEach, setSystemTime } from "bun:test";
import { BASE, hiddenField, makeApp, postForm, req, type TestApp } from "../helpers";

export const PASSWORD = "correct horse battery";
export const REDIRECT = "http://127.0.0.1:33418/callback";

/** One real argon2id hash of PASSWORD, computed once: hashing per user per test would dominate the suite's time. */
let passwordHash: Promise<string> | undefined;

async function seedUser(deps: Deps, email: string): Promise<User> {
  const now = Date.now();
  const user: User = { id: newId("usr"), email, name: email.split("@")[0]!, passwordHash: await (passwordHash ??= hashPassword(PASSWORD)), createdAt: now, passwordChangedAt: now };
  deps.db.insert(usersTable).values(user).run();
  return user;
}

export async function seedWorld(deps: Deps) {
  const users = {} as Record<Role, User>;
  for (const role of ["owner", "admin", "developer", "viewer"] as const) users[role] = await seedUser(deps, `${role}@example.com`);
  const org = createOrg(deps.db, { slug: "acme" }, users.owner.id);
  for (const role of ["admin", "developer", "viewer"] as const) addMember(deps.db, org.id, users[role].id, role);
  const shop = createProject(deps.db, org.id, { slug: "shop", name: "Shop" });
  const crm = createProject(deps.db, org.id, { slug: "crm", name: "CRM" });
  const outsider = await seedUser(deps, "outsider@example.com");
  const url = (slug: string, channel: "production" | "draft" = "production") => channelUrl(deps.config.publicUrl, "acme", slug, channel);
  return { users, outsider, org, shop, crm, url };
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

/** A cookie header for a fresh session of `userId`, plus the session. */
export function signIn(deps: Deps, userId: string) {
  const { token, session } = createSession(deps, userId);
  return { cookie: `${SESSION_COOKIE}=${encodeURIComponent(token)}`, session };
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
  const { cookie, session } = signIn(deps, userId);
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

export { BASE };
