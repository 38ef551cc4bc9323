/**
 * No access token, refresh token, authorization code or client secret may appear in any log line, org
 * audit row, handshake row or any other database row — across successes and every kind of failure.
 */
import { afterEach, expect, test } from "bun:test";
import { makeApp, req, type TestApp } from "../helpers";
import { handshakeEvents, orgAuditEvents } from "../../src/db/schema";
import { approve, authorizeParams, authorizePath, pkce, REDIRECT, registerClient, seedWorld, signIn, tokenRequest } from "./fixtures";
import { authenticateBearer } from "../../src/oauth/bearer";

let t: TestApp;
afterEach(() => t.close());

test("tokens, codes and client secrets never reach logs, org audit or handshake rows", async () => {
  t = await makeApp({ logLevel: "trace" });
  const w = await seedWorld(t.deps);
  const secrets: string[] = [];
  const client = await registerClient(t.app, { token_endpoint_auth_method: "client_secret_post" });
  secrets.push(client.client_secret!);
  const { verifier, challenge } = pkce();
  const { cookie } = await signIn(t.deps, w.users.developer.email);
  const code = (await approve(t.app, authorizePath(authorizeParams(client.client_id, challenge, w.url("shop"))), cookie)).searchParams.get("code")!;
  secrets.push(code, verifier);
  const exchange = { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: client.client_id };
  // Failures first (wrong secret), then success, then a replay that revokes the grant.
  expect((await tokenRequest(t.app, { ...exchange, client_secret: "wrong-secret-value" })).status).toBe(401);
  const tokens = await (await tokenRequest(t.app, { ...exchange, client_secret: client.client_secret! })).json();
  secrets.push(tokens.access_token, tokens.refresh_token);
  const target = { orgId: w.org.id, projectId: w.shop.id, orgSlug: "acme", projectSlug: "shop", channel: "production" as const };
  await authenticateBearer(t.deps, new Request(w.url("shop"), { headers: { authorization: `Bearer ${tokens.access_token}` } }), target);
  const refreshed = await (await tokenRequest(t.app, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: client.client_id, client_secret: client.client_secret! })).json();
  secrets.push(refreshed.access_token, refreshed.refresh_token);
  expect((await tokenRequest(t.app, { ...exchange, client_secret: client.client_secret! })).status).toBe(400);
  await authenticateBearer(t.deps, new Request(w.url("shop"), { headers: { authorization: `Bearer ${refreshed.access_token}` } }), target).catch(() => null);

  const rows = JSON.stringify([t.deps.db.select().from(orgAuditEvents).all(), t.deps.db.select().from(handshakeEvents).all()]);
  expect(rows).toContain("grant.revoked"); // the rows exist and were searched
  // The log lines exist and say what happened (ids and RFC error codes only).
  for (const msg of ["oauth client registered", "oauth grant approved", "oauth tokens issued", "invalid_client", "invalid_grant"]) expect(t.logs.text).toContain(msg);
  // Revocation by the client is the last place a token travels.
  expect((await req(t.app, "/oauth/revoke", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: refreshed.refresh_token, client_id: client.client_id, client_secret: client.client_secret! }).toString(),
  })).status).toBe(200);
  // Every table of the database, not only the audit ones: codes, refresh tokens and secrets are stored as hashes only.
  const tables = t.deps.db.$client.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  expect(tables.map((r) => r.name)).toEqual(expect.arrayContaining(["auth_codes", "refresh_tokens", "oauth_clients", "grants", "auth_requests"]));
  const everything = JSON.stringify(tables.map(({ name }) => t.deps.db.$client.query(`SELECT * FROM "${name}"`).all()));
  for (const secret of secrets) {
    expect(t.logs.text).not.toContain(secret);
    expect(rows).not.toContain(secret);
    expect(everything).not.toContain(secret);
  }
});
