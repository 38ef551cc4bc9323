/**
 * What the connection doctor captures beyond the findings' own tests (issue 17 "Complete capture"), over real
 * HTTP: a 403 for a missing scope with the scope named, 401s without a usable token per project (once a
 * minute, so a host retrying cannot turn each request into a write), and path-suffixed AS metadata fetches.
 */
import { afterEach, expect, test } from "bun:test";
import { getUser } from "../../src/auth/users";
import { signIn } from "../fixtures/world";
import { approve, authorizeParams, authorizePath, pkce, registerClient, REDIRECT, tokenRequest } from "../oauth/fixtures";
import { doctorWorld, stopDoctorWorlds } from "./http-world";

afterEach(stopDoctorWorlds);

test("a 403 for a scope the grant lacks is recorded with the scope; the role still allowed it", async () => {
  const d = await doctorWorld();
  const client = await registerClient(d.app);
  const { verifier, challenge } = pkce();
  const { cookie } = await signIn(d.server.deps, (await getUser(d.server.deps.db, d.w.users.developer.id)).email);
  const location = await approve(d.app, authorizePath(authorizeParams(client.client_id, challenge, d.w.url("shop"), { scope: "project:read" })), cookie);
  const res = await tokenRequest(d.app, { grant_type: "authorization_code", code: location.searchParams.get("code")!, redirect_uri: REDIRECT, code_verifier: verifier, client_id: client.client_id, resource: d.w.url("shop") });
  const { access_token } = (await res.json()) as { access_token: string };
  expect((await d.call(access_token)).status).toBe(403);
  await Bun.sleep(50); // the note is written off the answer's path
  const events = (await d.diagnose(client.client_id)).clients[0]!.events;
  expect(events.find((e) => e.step === "mcp" && e.outcome === "fail")).toMatchObject({ reason: "missing scope tools:call", detail: { why: "missing_scope", scope: "tools:call", status: 403 } });
});

test("calls without a token, or with one that does not verify, are noted per project and channel once a minute", async () => {
  const d = await doctorWorld();
  const post = (headers: Record<string, string>) =>
    fetch(`${d.server.url}/acme/shop`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: "{}" });
  for (let i = 0; i < 3; i++) expect((await post({})).status).toBe(401);
  for (let i = 0; i < 3; i++) expect((await post({ authorization: "Bearer not.a.jwt" })).status).toBe(401);
  const anonymous = (await d.diagnose()).clients.find((c) => c.clientId === null)!;
  expect(anonymous.events.map((e) => [e.reason, e.detail.why, e.detail.channel])).toEqual([
    ["access token invalid or expired", "invalid_token", "production"],
    ["no access token sent", "no_token", "production"],
  ]);
});

test("authorization server metadata asked for at the project's path-suffixed address is recorded there", async () => {
  const d = await doctorWorld();
  expect((await fetch(`${d.server.url}/.well-known/oauth-authorization-server/acme/shop/draft`)).status).toBe(200);
  expect((await fetch(`${d.server.url}/.well-known/oauth-authorization-server`)).status).toBe(200);
  const steps = (await d.diagnose()).clients.flatMap((c) => c.events).filter((e) => e.step === "as_metadata");
  expect(steps.map((e) => [e.detail.path, e.detail.channel])).toEqual([["/.well-known/oauth-authorization-server/acme/shop/draft", "draft"]]);
});
