/**
 * The connection doctor stores no credential (issue 17; src/doctor/handshake.ts): full OAuth flows over real
 * HTTP — a wrong password, sign-in, a confidential client, code + PKCE, a PKCE mismatch, MCP calls (good,
 * wrong channel, garbage token), refresh, a retry inside the grace window, a reuse after it, revocation —
 * then every stored handshake row, every column, is searched for every credential the flows used.
 */
import { afterEach, expect, setSystemTime, test } from "bun:test";
import { hiddenField } from "../helpers";
import { Browser } from "../auth/flow";
import { PASSWORD } from "../fixtures/world";
import { authorizeParams, authorizePath, pkce, registerClient, REDIRECT, tokenRequest } from "../oauth/fixtures";
import type { TestApp } from "../helpers";
import { doctorWorld, stopDoctorWorlds } from "./http-world";

afterEach(stopDoctorWorlds);

const WRONG_PASSWORD = "not-the-password-7731";

test("no token, code, verifier, secret, password, cookie or CSRF token appears in any stored handshake row", async () => {
  const d = await doctorWorld();
  const secrets: string[] = [PASSWORD, WRONG_PASSWORD];
  const browser = new Browser({ app: d.app } as TestApp);
  expect((await browser.signIn(d.w.users.developer.email, WRONG_PASSWORD)).status).toBe(401);

  const client = await registerClient(d.app, { client_name: "Confidential", token_endpoint_auth_method: "client_secret_post" });
  secrets.push(client.client_secret!);
  const authorize = async () => {
    const { verifier, challenge } = pkce();
    secrets.push(verifier);
    const path = authorizePath(authorizeParams(client.client_id, challenge, d.w.url("shop")));
    const toLogin = await browser.get(path);
    const resume = new URL(toLogin.headers.get("location")!, "http://x").searchParams.get("return_to");
    if (resume) {
      const signedIn = await browser.signIn(d.w.users.developer.email, PASSWORD, resume);
      expect(signedIn.status).toBe(303);
    }
    const page = await (await browser.get(resume ?? path)).text();
    const requestId = hiddenField(page, "request_id")!;
    const csrf = hiddenField(page, "csrf")!;
    secrets.push(csrf);
    const approved = await browser.post("/oauth/authorize", { request_id: requestId, csrf, decision: "approve" });
    const code = new URL(approved.headers.get("location")!).searchParams.get("code")!;
    secrets.push(code);
    return { code, verifier };
  };
  const exchange = (code: string, verifier: string) =>
    tokenRequest(d.app, { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: client.client_id, client_secret: client.client_secret!, resource: d.w.url("shop") });

  // A PKCE mismatch first (the form carries the code, a wrong verifier and the secret).
  const first = await authorize();
  const wrongVerifier = pkce().verifier;
  secrets.push(wrongVerifier);
  expect((await exchange(first.code, wrongVerifier)).status).toBe(400);

  const second = await authorize();
  const tokens = (await (await exchange(second.code, second.verifier)).json()) as { access_token: string; refresh_token: string };
  secrets.push(tokens.access_token, tokens.refresh_token);
  expect((await d.call(tokens.access_token)).status).toBe(200);
  expect((await d.call(tokens.access_token, "/acme/shop/draft")).status).toBe(401);
  expect((await d.call("garbage.not.atoken")).status).toBe(401);

  const refresh = async (token: string) => {
    const res = await tokenRequest(d.app, { grant_type: "refresh_token", refresh_token: token, client_id: client.client_id, client_secret: client.client_secret! });
    const body = (await res.json()) as { access_token?: string; refresh_token?: string };
    if (body.access_token) secrets.push(body.access_token, body.refresh_token!);
    return body;
  };
  const rotated = await refresh(tokens.refresh_token);
  await refresh(tokens.refresh_token); // a retry inside the grace window
  setSystemTime(new Date(Date.now() + 31_000));
  await refresh(tokens.refresh_token); // a reuse after it: the grant is revoked
  await tokenRequest(d.app, { grant_type: "refresh_token", refresh_token: rotated.refresh_token!, client_id: client.client_id, client_secret: client.client_secret! });

  const third = await authorize();
  const more = (await (await exchange(third.code, third.verifier)).json()) as { access_token: string; refresh_token: string };
  secrets.push(more.access_token, more.refresh_token);
  await d.app.handle(new Request("http://x/oauth/revoke", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: more.refresh_token, client_id: client.client_id, client_secret: client.client_secret! }).toString(),
  }));
  expect((await d.call(more.access_token)).status).toBe(401);

  for (const name of ["portico_session", "portico_csrf"]) {
    const value = browser.jar.get(name);
    if (value) secrets.push(value);
  }
  expect(browser.jar.get("portico_session")).toBeTruthy();

  const { handshakeEvents } = d.server.deps.db.t;
  const rows = await d.server.deps.db.select().from(handshakeEvents);
  // The flows were recorded (so the scan is not vacuous): every kind of step, with details.
  const steps = new Set(rows.map((r) => `${r.step}:${r.outcome}`));
  for (const s of ["registration:ok", "authorize:ok", "consent:ok", "token:fail", "token:ok", "mcp:ok", "mcp:fail", "refresh:ok", "refresh:fail", "revoke:ok"]) expect(steps).toContain(s);
  const stored = JSON.stringify(rows);
  expect(stored).toContain('"path":"/oauth/token"');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(stored).not.toContain(secret);
  }
  // Nor any query string (a redirect's or an authorize request's).
  expect(stored).not.toMatch(/\?[a-z_]+=/);
});
