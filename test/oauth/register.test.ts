import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { eq } from "drizzle-orm";
import { makeApp, req, type TestApp } from "../helpers";
import { oauthClients } from "../../src/db/schema";
import { pruneUnusedClients, UNUSED_CLIENT_TTL_MS } from "../../src/oauth/clients";
import { approve, authorizeParams, authorizePath, obtainTokens, pkce, REDIRECT, seedWorld, signIn } from "./fixtures";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(() => t.close());

function register(body: unknown, headers: Record<string, string> = {}) {
  return req(t.app, "/oauth/register", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function expectError(res: Response, error: string) {
  expect(res.status).toBe(400);
  expect((await res.json()).error).toBe(error);
}

describe("POST /oauth/register (RFC 7591)", () => {
  test("a public client registers with none and gets no secret", async () => {
    const res = await register({ client_name: "MCP Inspector", redirect_uris: ["http://localhost:6274/oauth/callback"], token_endpoint_auth_method: "none" });
    expect(res.status).toBe(201);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const body = await res.json();
    expect(body).toMatchObject({ client_name: "MCP Inspector", token_endpoint_auth_method: "none", redirect_uris: ["http://localhost:6274/oauth/callback"] });
    expect(body.client_id).toStartWith("cli_");
    expect(body.client_secret).toBeUndefined();
    expect(body.grant_types).toEqual(["authorization_code", "refresh_token"]);
  });

  test("a confidential client gets its secret once; only its hash is stored", async () => {
    for (const method of ["client_secret_post", "client_secret_basic"]) {
      const body = await (await register({ redirect_uris: ["https://app.example/cb"], token_endpoint_auth_method: method })).json();
      expect(body.client_secret).toStartWith("pcs_");
      expect(body.client_secret_expires_at).toBe(0);
      const row = t.deps.db.select().from(oauthClients).where(eq(oauthClients.id, body.client_id)).get()!;
      expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(body.client_secret);
    }
  });

  test("the RFC 7591 default method is client_secret_basic", async () => {
    const body = await (await register({ redirect_uris: ["https://app.example/cb"] })).json();
    expect(body.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(body.client_secret).toBeString();
  });

  test("redirect URIs: https, loopback http and reverse-domain private-use schemes are accepted", async () => {
    for (const uri of ["https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1/cb", "http://[::1]:8080/cb", "http://localhost:6274/oauth/callback", "com.example.app:/oauth"]) {
      expect((await register({ redirect_uris: [uri], token_endpoint_auth_method: "none" })).status).toBe(201);
    }
  });

  test("redirect URIs: http elsewhere, fragments, dangerous and dot-less schemes are invalid_redirect_uri", async () => {
    for (const uri of ["http://app.example/cb", "https://app.example/cb#frag", "javascript:alert(1)", "data:text/html,x", "myapp:/cb", "not a uri", "https://user:pw@app.example/cb"]) {
      await expectError(await register({ redirect_uris: [uri], token_endpoint_auth_method: "none" }), "invalid_redirect_uri");
    }
    await expectError(await register({ redirect_uris: [], token_endpoint_auth_method: "none" }), "invalid_redirect_uri");
  });

  test("bad metadata is invalid_client_metadata", async () => {
    await expectError(await register("not json"), "invalid_client_metadata");
    await expectError(await register([1, 2]), "invalid_client_metadata");
    await expectError(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "private_key_jwt" }), "invalid_client_metadata");
    await expectError(await register({ redirect_uris: [REDIRECT], grant_types: ["client_credentials"] }), "invalid_client_metadata");
    await expectError(await register({ redirect_uris: [REDIRECT], response_types: ["token"] }), "invalid_client_metadata");
  });

  test("registration is rate-limited per client IP", async () => {
    // Windows are aligned to the clock (src/lib/rate-limit.ts): start just after a boundary, so the 31
    // registrations cannot straddle two windows (that flaked once in a full run).
    setSystemTime(new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 1_000));
    try {
      let last: Response | undefined;
      for (let i = 0; i < 31; i++) last = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" });
      expect(last!.status).toBe(429);
      expect(last!.headers.get("retry-after")).toBeString();
    } finally {
      setSystemTime();
    }
  });

  test("dynamic clients that never completed an authorization are removed after 24 h; clients that got tokens stay", async () => {
    const w = await seedWorld(t.deps);
    const used = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const unused = await (await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" })).json();
    const later = Date.now() + UNUSED_CLIENT_TTL_MS + 1000;
    expect(await pruneUnusedClients(t.deps.db, later)).toBe(1);
    const ids = t.deps.db.select({ id: oauthClients.id }).from(oauthClients).all().map((r) => r.id);
    expect(ids).toContain(used.client.client_id);
    expect(ids).not.toContain(unused.client_id);
  });

  test("a client that got tokens before last_used_at was recorded stays (its refresh tokens show it); so does one with a consent under 24 h old", async () => {
    const w = await seedWorld(t.deps);
    const legacy = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    t.deps.db.update(oauthClients).set({ lastUsedAt: null }).where(eq(oauthClients.id, legacy.client.client_id)).run();
    const fresh = await (await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" })).json();
    t.deps.db.update(oauthClients).set({ createdAt: Date.now() - 3 * UNUSED_CLIENT_TTL_MS }).where(eq(oauthClients.id, fresh.client_id)).run();
    await approve(t.app, authorizePath(authorizeParams(fresh.client_id, pkce().challenge, w.url("shop"))), (await signIn(t.deps, w.users.viewer.email)).cookie);
    expect(await pruneUnusedClients(t.deps.db, Date.now() + UNUSED_CLIENT_TTL_MS - 60_000)).toBe(0);
    expect(t.deps.db.select().from(oauthClients).where(eq(oauthClients.id, legacy.client.client_id)).get()?.lastUsedAt).toBeNull();
  });

  test("only the RFC 7591 fields Portico reads are stored", async () => {
    const body = await (await register({ client_name: "Inspector", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", software_id: "mcp-inspector", software_version: "0.17", tos_uri: "https://x.example/tos", jwks: { keys: [] } })).json();
    const row = t.deps.db.select().from(oauthClients).where(eq(oauthClients.id, body.client_id)).get()!;
    expect(row.metadata).toEqual({ client_name: "Inspector", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code"], response_types: ["code"], software_id: "mcp-inspector", software_version: "0.17" });
  });
});
