/**
 * Each connection doctor finding provoked by real HTTP flows against a listening server (issue 17 "Done when"):
 * the handshake is walked as a host walks it, and the report names the finding in its plain words.
 */
import { afterAll, afterEach, beforeAll, expect, setSystemTime, test } from "bun:test";
import { revokeGrant } from "../../src/oauth/grants";
import type { DoctorReport, Finding } from "../../src/doctor/report";
import { hiddenField } from "../helpers";
import { signIn } from "../fixtures/world";
import { authorizeParams, authorizePath, obtainTokens, pkce, registerClient, REDIRECT, tokenRequest } from "../oauth/fixtures";
import { CimdServer } from "../oauth/cimd-server";
import { doctorWorld, stopDoctorWorlds } from "./http-world";

afterEach(stopDoctorWorlds);

const MIN = 60_000;

/** Every finding of the report (project-level and per client), by id. */
function findings(report: DoctorReport): Map<string, Finding> {
  return new Map([...report.projectFindings, ...report.clients.flatMap((c) => c.findings)].map((f) => [f.id, f]));
}

test("wrong public URL: requests arrive over http while the public URL is https — set PORTICO_PUBLIC_URL", async () => {
  const d = await doctorWorld({ publicUrl: "https://portico.test" });
  const res = await d.app.handle(new Request("http://x/.well-known/oauth-protected-resource/acme/shop"));
  expect(res.status).toBe(200);
  const f = findings(await d.diagnose()).get("public-url-scheme-mismatch");
  expect(f?.title).toBe(`Requests arrive for http://127.0.0.1:${d.server.port} while the public URL is https://portico.test: hosts see addresses that do not match the ones Portico advertises.`);
  expect(f?.fix).toContain("set PORTICO_PUBLIC_URL");
  const steps = (await d.diagnose()).clients.flatMap((c) => c.events);
  expect(steps[0]?.detail).toMatchObject({ path: "/.well-known/oauth-protected-resource/acme/shop", channel: "production", status: 200 });
});

test("a non-443 port in the public URL is a project finding", async () => {
  const d = await doctorWorld();
  const f = findings(await d.diagnose()).get("public-url-port");
  expect(f?.title).toBe(`The public URL ${d.server.url} uses port ${d.server.port}; hosted apps such as Claude and ChatGPT connect only to https on port 443.`);
});

test("metadata asked for at a path Portico does not serve: recorded with the path, and the URL to paste", async () => {
  const d = await doctorWorld();
  for (const path of ["/.well-known/oauth-protected-resource/acme/shop/extra", "/acme/shop/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/acme/nope"]) {
    expect((await d.app.handle(new Request(`http://x${path}`))).status).toBe(404);
  }
  const report = await d.diagnose();
  const misses = report.clients.flatMap((c) => c.events).filter((e) => e.step === "metadata_miss").map((e) => e.detail.path);
  // The unknown project's miss belongs to no project: only shop's two are here.
  expect(misses.sort()).toEqual(["/.well-known/oauth-protected-resource/acme/shop/extra", "/acme/shop/.well-known/oauth-protected-resource"]);
  const f = findings(report).get("metadata-path-not-served");
  expect(f?.fix).toBe(`Paste exactly ${d.w.url("shop")} into the host (nothing added after it), then connect again.`);
});

test("token issued but never used by the host: after 5 minutes, known host behaviour → reconnect", async () => {
  const d = await doctorWorld();
  const { client } = await obtainTokens(d.app, d.server.deps, d.w.users.developer.id, d.w.url("shop"));
  expect(findings(await d.diagnose()).has("token-never-used")).toBe(false);
  setSystemTime(new Date(Date.now() + 6 * MIN));
  const report = await d.diagnose(client.client_id);
  expect(report.clients.map((c) => c.name)).toEqual(["Test App"]);
  const f = findings(report).get("token-never-used");
  expect(f?.title).toBe("Test App got a token 6 minutes ago but has never used it to call this server.");
  // The host restarts and calls without its token: the finding says so.
  const tokenless = await fetch(`${d.server.url}/acme/shop`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
  expect(tokenless.status).toBe(401);
  expect(findings(await d.diagnose()).get("token-never-used")?.title).toBe("Test App got a token 6 minutes ago but has never used it to call this server. Calls without a valid token arrived since, most likely from this host.");
  expect(f?.fix).toContain("known host behaviour");
});

test("a token that is used makes no never-used finding, and the client's revision is reported", async () => {
  const d = await doctorWorld();
  const { client, tokens } = await obtainTokens(d.app, d.server.deps, d.w.users.developer.id, d.w.url("shop"));
  expect((await d.call(tokens.access_token)).status).toBe(200);
  setSystemTime(new Date(Date.now() + 6 * MIN));
  const report = await d.diagnose(client.client_id);
  expect(findings(report).has("token-never-used")).toBe(false);
  expect(report.clients[0]?.protocolVersion).toBe("2025-11-25");
  expect(report.clients[0]?.events[0]).toMatchObject({ step: "mcp", outcome: "ok", detail: { channel: "production", first: true, path: "/acme/shop" } });
});

test("draft/production mix-up: a production token sent to the draft URL", async () => {
  const d = await doctorWorld();
  const { tokens } = await obtainTokens(d.app, d.server.deps, d.w.users.developer.id, d.w.url("shop"));
  expect((await d.call(tokens.access_token, "/acme/shop/draft")).status).toBe(401);
  const f = findings(await d.diagnose()).get("draft-production-mixup");
  expect(f?.title).toBe("Test App sent a token issued for the production server to the draft URL; draft and production are separate servers with separate sign-ins.");
  expect(f?.fix).toContain(`${d.w.url("shop", "draft")} for draft`);
});

test("refresh reuse after the grace window revoked the grant", async () => {
  const d = await doctorWorld();
  const { client, tokens } = await obtainTokens(d.app, d.server.deps, d.w.users.developer.id, d.w.url("shop"));
  const refresh = (token: string) => tokenRequest(d.app, { grant_type: "refresh_token", refresh_token: token, client_id: client.client_id });
  expect((await refresh(tokens.refresh_token)).status).toBe(200);
  // Inside the window: a retry gets the same pair, and the doctor notes the reuse as harmless.
  expect((await refresh(tokens.refresh_token)).status).toBe(200);
  setSystemTime(new Date(Date.now() + 31_000));
  const late = await refresh(tokens.refresh_token);
  expect(((await late.json()) as { error: string }).error).toBe("invalid_grant");
  const report = await d.diagnose();
  const refreshes = report.clients[0]!.events.filter((e) => e.step === "refresh").map((e) => [e.outcome, e.detail.reuse ?? null]);
  expect(refreshes).toEqual([["fail", "after_grace"], ["ok", "grace"], ["ok", null]]);
  const f = findings(report).get("refresh-reuse-revoked");
  expect(f?.title).toBe("Test App used an old refresh token again after the 30-second grace window, so Portico revoked its authorization for safety.");
});

test("a revoked grant the host still uses: says who revoked it", async () => {
  const d = await doctorWorld();
  const { tokens } = await obtainTokens(d.app, d.server.deps, d.w.users.developer.id, d.w.url("shop"));
  const grantId = JSON.parse(Buffer.from(tokens.access_token.split(".")[1]!, "base64url").toString()).gid as string;
  await revokeGrant(d.server.deps, grantId, { actorId: d.w.users.admin.id, reason: "revoked by an admin" });
  expect((await d.call(tokens.access_token)).status).toBe(401);
  const f = findings(await d.diagnose()).get("grant-revoked");
  expect(f?.title).toBe("Test App's authorization was revoked (revoked by an admin), but the host still uses it.");
  expect(f?.fix).toContain("Reconnect the app in the host");
});

test("a removed member's app: its authorization ended with the membership", async () => {
  const d = await doctorWorld();
  const { tokens } = await obtainTokens(d.app, d.server.deps, d.w.users.developer.id, d.w.url("shop"));
  const admin = await signIn(d.server.deps, d.w.users.admin.email);
  const removed = await d.app.handle(new Request(`http://x/admin/acme/settings/members/${d.w.users.developer.id}/remove`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: admin.cookie, origin: d.server.url },
    body: new URLSearchParams({ csrf: admin.csrf }).toString(),
  }));
  expect(removed.status).toBe(303);
  expect((await d.call(tokens.access_token)).status).toBe(401);
  const f = findings(await d.diagnose()).get("member-removed");
  expect(f?.title).toBe("The user who connected Test App is no longer a member of this organization, so its authorization ended.");
});

test("the approving session ended (signed out): the grant ended with it", async () => {
  const d = await doctorWorld();
  const { tokens, cookie } = await obtainTokens(d.app, d.server.deps, d.w.users.developer.id, d.w.url("shop"));
  const out = await d.app.handle(new Request("http://x/logout", { headers: { cookie } }));
  const csrf = hiddenField(await out.text(), "csrf");
  await d.app.handle(new Request("http://x/logout", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: d.server.url },
    body: new URLSearchParams({ csrf: csrf ?? "" }).toString(),
  }));
  expect((await d.call(tokens.access_token)).status).toBe(401);
  const f = findings(await d.diagnose()).get("session-ended");
  expect(f?.title).toBe("The Portico sign-in that approved Test App has ended (signed out, password changed, or idle too long), so its authorization ended with it.");
});

test("abandoned registration: registered, opened the page, never authorized — the user closed the window", async () => {
  const d = await doctorWorld();
  const client = await registerClient(d.app, { client_name: "Closer" });
  const opened = await d.app.handle(new Request(`http://x${authorizePath(authorizeParams(client.client_id, pkce().challenge, d.w.url("shop")))}`));
  expect(opened.status).toBe(303); // to the sign-in page, which the user closes
  setSystemTime(new Date(Date.now() + 11 * MIN));
  const f = findings(await d.diagnose()).get("authorization-abandoned");
  expect(f?.title).toBe("Closer registered 11 minutes ago but never finished authorizing: the user closed the sign-in window or never approved.");
});

test("abandoned registration because the redirect URI was refused: says so", async () => {
  const d = await doctorWorld();
  const client = await registerClient(d.app, { client_name: "Misdirected" });
  const params = authorizeParams(client.client_id, pkce().challenge, d.w.url("shop"), { redirect_uri: "http://127.0.0.1:9/elsewhere?secret=1" });
  expect((await d.app.handle(new Request(`http://x${authorizePath(params)}`))).status).toBe(400);
  setSystemTime(new Date(Date.now() + 11 * MIN));
  const f = findings(await d.diagnose()).get("authorization-abandoned");
  expect(f?.severity).toBe("error");
  expect(f?.title).toBe("Misdirected started connecting 11 minutes ago, but Portico refused its redirect URI http://127.0.0.1:9/elsewhere: The redirect_uri is not one the app registered, so Portico will not send you there.");
});

describe_cimd();

/** An unreachable or invalid CIMD, served by a local https server (self-signed: verification off for these tests). */
function describe_cimd() {
  let cimd: CimdServer;
  let previousTls: string | undefined;
  beforeAll(() => {
    previousTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    cimd = new CimdServer();
  });
  afterAll(() => {
    if (previousTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTls;
    cimd.stop();
  });

  for (const [what, behaviour, reason] of [
    ["answers HTTP 500", { status: 500 }, "the client metadata document answered HTTP 500"],
    ["is not JSON", { raw: "<html>not json</html>" }, "the client metadata document is not JSON"],
  ] as const) {
    test(`an unusable client metadata document (${what}): what was wrong, at which URL`, async () => {
      const d = await doctorWorld({ allowLoopbackFetch: true });
      cimd.behaviour = behaviour;
      const clientId = cimd.url(`/${what.replace(/\W+/g, "-")}.json`);
      const res = await d.app.handle(new Request(`http://x${authorizePath({ ...authorizeParams(clientId, pkce().challenge, d.w.url("shop")), redirect_uri: REDIRECT })}`));
      expect(res.status).toBe(400);
      const report = await d.diagnose();
      const f = findings(report).get("cimd-unusable");
      expect(f?.severity).toBe("error");
      expect(f?.title).toBe(`Portico could not use ${clientId}'s metadata document at ${clientId}: ${reason}.`);
      const fetched = report.clients[0]!.events.find((e) => e.step === "client_metadata");
      expect(fetched?.detail).toMatchObject({ registration: "cimd", metadataUrl: clientId, fetch: "failed" });
    });
  }
}
