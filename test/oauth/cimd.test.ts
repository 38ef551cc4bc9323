/**
 * Client ID Metadata Documents served by a local https server. The server's certificate is self-signed,
 * so certificate verification is turned off for this file only (NODE_TLS_REJECT_UNAUTHORIZED); everything
 * else — the SSRF policy with `allowLoopbackFetch`, size, time, redirects, caching — runs for real.
 */
import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { makeApp, req, startTestServer, type TestApp } from "../helpers";
import { authenticateBearer } from "../../src/oauth/bearer";
import { oauthClients } from "../../src/db/schema";
import type { RunningServer } from "../../src/server";
import { cimdServerPerFile } from "./cimd-server";
import { approve, authorizeParams, authorizePath, openConsent, PASSWORD, pkce, seedWorld, signIn, type World } from "./fixtures";
import { TestOAuthProvider } from "./sdk-provider";

const CALLBACK = "http://127.0.0.1:9/cimd-callback";
const file = cimdServerPerFile();
beforeEach(() => {
  file.server.behaviour = { doc: { client_name: "Local Host App", redirect_uris: [CALLBACK], token_endpoint_auth_method: "none" } };
  file.server.hits = [];
});

describe("CIMD with the MCP SDK client over a real listener", () => {
  let server: (RunningServer & { logs: { text: string } }) | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  test("the SDK uses the URL as client_id (no registration); sign-in, consent, token and bearer check work", async () => {
    server = await startTestServer({ allowLoopbackFetch: true });
    const w = await seedWorld(server.deps);
    const serverUrl = w.url("shop");
    const provider = new TestOAuthProvider({ redirectUrl: CALLBACK, clientMetadataUrl: file.server.url(), user: { email: "viewer@example.com", password: PASSWORD } });
    expect(await auth(provider, { serverUrl })).toBe("REDIRECT");
    expect(await auth(provider, { serverUrl, authorizationCode: provider.code })).toBe("AUTHORIZED");
    const clients = server.deps.db.select().from(oauthClients).all();
    expect(clients.map((c) => [c.id, c.registration, c.name])).toEqual([[file.server.url(), "cimd", "Local Host App"]]);
    const token = provider.tokens()!.access_token;
    const principal = await authenticateBearer(
      server.deps,
      new Request(serverUrl, { headers: { authorization: `Bearer ${token}` } }),
      { orgId: w.org.id, projectId: w.shop.id, orgSlug: "acme", projectSlug: "shop", channel: "production" },
    );
    expect(principal).toMatchObject({ kind: "user", clientId: file.server.url(), role: "viewer" });
  });
});

describe("CIMD rules", () => {
  let t: TestApp;
  let w: World;
  beforeEach(async () => {
    t = await makeApp({ allowLoopbackFetch: true });
    w = await seedWorld(t.deps);
  });
  afterEach(() => {
    setSystemTime();
    return t.close();
  });

  const path = (clientId = file.server.url()) => authorizePath({ ...authorizeParams(clientId, pkce().challenge, w.url("shop")), redirect_uri: CALLBACK });
  const consent = async (clientId?: string) => openConsent(t.app, path(clientId), (await signIn(t.deps, w.users.viewer.email)).cookie);

  async function refused(why: string, clientId?: string) {
    const page = await consent(clientId);
    expect(page.res.status).toBe(400);
    expect(page.res.headers.get("location")).toBeNull();
    expect(page.html).toContain(why);
  }

  test("the consent page names the app and the host it came from, without 'unverified'", async () => {
    const page = await consent();
    expect(page.res.status).toBe(200);
    expect(page.html).toContain("Local Host App");
    expect(page.html).toContain(`(127.0.0.1:${new URL(file.server.url()).port})`);
    expect(page.html).not.toContain("unverified");
  });

  test("the document's client_id must equal its URL", async () => {
    file.server.behaviour.doc = { ...file.server.behaviour.doc, client_id: "https://elsewhere.example/client.json" };
    await refused("client_id does not equal its URL");
  });

  test("only https URLs with a path are metadata documents: http, path-less, fragment and dot-segment ids are never fetched", async () => {
    const https = new URL(file.server.url());
    for (const id of [file.server.url().replace("https:", "http:"), `${https.origin}/`, `${file.server.url()}#x`, file.server.url("/a/../client.json")]) {
      await refused("Unknown client", id);
    }
    expect(file.server.hits).toHaveLength(0);
  });

  test("a document over 5 KB is refused", async () => {
    file.server.behaviour.raw = JSON.stringify({ client_id: file.server.url(), redirect_uris: [CALLBACK], padding: "x".repeat(6000) });
    await refused("larger than 5120 bytes");
  });

  test("redirects are not followed", async () => {
    file.server.behaviour.redirectTo = file.server.url("/other.json");
    await refused("redirects are not followed");
    expect(file.server.hits).toHaveLength(1);
  });

  test("a document that takes longer than 5 s is refused, after about 5 s", async () => {
    file.server.behaviour.delayMs = 7_000;
    const started = Date.now();
    await refused("no complete response within 5000 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(Date.now() - started).toBeLessThan(6_500);
  }, 10_000);

  test("network fetches are rate-limited per client IP (no fetch relay); cached documents still serve", async () => {
    for (let i = 0; i < 20; i++) expect((await consent(file.server.url(`/c${i}.json`))).res.status).toBe(200);
    const limited = await consent(file.server.url("/one-too-many.json"));
    expect(limited.res.status).toBe(429);
    expect(limited.res.headers.get("retry-after")).toBeString();
    expect(file.server.hits).toHaveLength(20);
    // The token endpoint names client_ids anonymously too: same budget, answered in OAuth JSON.
    const token = await req(t.app, "/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", client_id: file.server.url("/via-token.json") }).toString(),
    });
    expect(token.status).toBe(429);
    expect(file.server.hits).toHaveLength(20);
    expect((await consent(file.server.url("/c0.json"))).res.status).toBe(200);
  });

  test("a confidential auth method in the document is refused", async () => {
    file.server.behaviour.doc = { ...file.server.behaviour.doc, token_endpoint_auth_method: "client_secret_basic" };
    await refused("not supported; use none");
  });

  test("a document declaring application_type web with a loopback redirect is refused (OIDC Registration §2)", async () => {
    file.server.behaviour.doc = { ...file.server.behaviour.doc, application_type: "web" };
    await refused("a &quot;web&quot; application must use https");
  });

  test("a document declaring application_type native with a loopback redirect is used, and the type is stored", async () => {
    file.server.behaviour.doc = { ...file.server.behaviour.doc, application_type: "native" };
    expect((await consent()).res.status).toBe(200);
    expect(t.deps.db.select().from(oauthClients).get()!.applicationType).toBe("native");
  });

  test("a document without application_type (Claude's, the spec's example) is used with its loopback redirect; no type is stored", async () => {
    expect((await consent()).res.status).toBe(200);
    expect(t.deps.db.select().from(oauthClients).get()!.applicationType).toBeNull();
  });

  test("loopback documents are refused without the test flag (SSRF policy)", async () => {
    const strict = await makeApp();
    const ws = await seedWorld(strict.deps);
    const page = await openConsent(
      strict.app,
      authorizePath({ ...authorizeParams(file.server.url(), pkce().challenge, ws.url("shop")), redirect_uri: CALLBACK }),
      (await signIn(strict.deps, ws.users.viewer.email)).cookie,
    );
    expect(page.res.status).toBe(400);
    expect(page.html).toContain("private or reserved address");
    // By name too: the DNS answer is checked, not just an IP literal in the URL.
    const byName = file.server.url().replace("127.0.0.1", "localhost");
    const named = await openConsent(
      strict.app,
      authorizePath({ ...authorizeParams(byName, pkce().challenge, ws.url("shop")), redirect_uri: CALLBACK }),
      (await signIn(strict.deps, ws.users.viewer.email)).cookie,
    );
    expect(named.res.status).toBe(400);
    expect(named.html).toContain("private or reserved address");
    expect(file.server.hits).toHaveLength(0);
    await strict.close();
  });

  test("HTTP caching: fresh copies are reused, stale ones revalidated with If-None-Match", async () => {
    file.server.behaviour.cacheControl = "max-age=600";
    file.server.behaviour.etag = '"v1"';
    expect((await consent()).res.status).toBe(200);
    expect((await consent()).res.status).toBe(200);
    expect(file.server.hits).toHaveLength(1);
    setSystemTime(new Date(Date.now() + 601_000));
    expect((await consent()).res.status).toBe(200);
    expect(file.server.hits).toHaveLength(2);
    expect(file.server.hits[1]!.ifNoneMatch).toBe('"v1"');
  });

  test("a stale copy is used when the refetch fails", async () => {
    expect((await consent()).res.status).toBe(200);
    file.server.behaviour.status = 500;
    setSystemTime(new Date(Date.now() + 2 * 3600 * 1000));
    const page = await consent();
    expect(page.res.status).toBe(200);
    expect(page.html).toContain("Local Host App");
    expect(file.server.hits).toHaveLength(2);
  });

  test("a pinned copy of Claude's document is used when claude.ai cannot be fetched", async () => {
    const claude = "https://claude.ai/oauth/mcp-oauth-client-metadata";
    const authorize = authorizePath({ ...authorizeParams(claude, pkce().challenge, w.url("shop")), redirect_uri: "https://claude.ai/api/mcp/auth_callback" });
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    expect((await openConsent(t.app, authorize, cookie)).html).toContain("<strong>Claude</strong>");
    const location = await approve(t.app, authorize, cookie);
    expect(location.origin + location.pathname).toBe("https://claude.ai/api/mcp/auth_callback");
    expect(location.searchParams.get("code")).toBeString();
  });
});
