/**
 * Credentials are bound to the authorization server that issued them (MCP 2026-07-28 Client Registration
 * "Authorization Server Binding", SEP-2352; RFC 9068 §4 `iss`; RFC 8707 audience). The same data dir served
 * under another public URL (a restored backup on a staging host, a changed domain) is another issuer: the
 * tokens, refresh tokens and codes the first one minted are refused, not honoured or re-minted.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { makeApp, req, tempDir, type TestApp } from "../helpers";
import { newId } from "../../src/lib/ids";
import { approve, authorizeParams, authorizePath, echoWithToken, pkce, registerClient, REDIRECT, seedWorld, signIn, tokenRequest } from "./fixtures";

const OTHER = "https://other-issuer.example";
const opened: TestApp[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
});
async function open(dataDir: string, publicUrl?: string) {
  const t = await makeApp({ dataDir, ...(publicUrl ? { publicUrl } : {}) });
  opened.push(t);
  return t;
}

function toolsList(t: TestApp, token: string) {
  return req(t.app, "/acme/shop", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } }),
  });
}

describe("credentials are honoured only by the issuer that minted them", () => {
  test("our issuer's own tokens work (the positive case the refusals below are measured against)", async () => {
    const t = await open(tempDir());
    const w = await seedWorld(t.deps);
    const { tokens } = await echoWithToken(t, w);
    expect((await toolsList(t, tokens.access_token)).status).toBe(200);
  });

  test("a token minted by another issuer with our own signing key (iss differs, aud and grant real) is refused: iss is checked", async () => {
    const t = await open(tempDir());
    const w = await seedWorld(t.deps);
    const { tokens } = await echoWithToken(t, w);
    const real = JSON.parse(Buffer.from(tokens.access_token.split(".")[1]!, "base64url").toString());
    const forged = await t.deps.oauth.keys.sign({ ...real, iss: OTHER, jti: newId("jti") });
    const res = await toolsList(t, forged);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("attack: a refresh token minted by another issuer (same data dir, other public URL) is invalid_grant and revokes nothing", async () => {
    const dataDir = tempDir();
    const a = await open(dataDir);
    const w = await seedWorld(a.deps);
    const { tokens, client } = await echoWithToken(a, w);
    await a.close();
    opened.splice(opened.indexOf(a), 1);
    const b = await open(dataDir, OTHER);
    const res = await tokenRequest(b.app, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: client.client_id });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toContain("another authorization server");
    // Its access token is refused there too (iss and aud name the first issuer).
    expect((await toolsList(b, tokens.access_token)).status).toBe(401);
    await b.close();
    opened.splice(opened.indexOf(b), 1);
    // Back under the issuer that minted it, the refresh token still works: nothing was spent or revoked.
    const again = await open(dataDir);
    const refreshed = await tokenRequest(again.app, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: client.client_id });
    expect(refreshed.status).toBe(200);
  });

  test("attack: an authorization code minted by another issuer is invalid_grant", async () => {
    const dataDir = tempDir();
    const a = await open(dataDir);
    const w = await seedWorld(a.deps);
    const client = await registerClient(a.app);
    const { verifier, challenge } = pkce();
    const { cookie } = await signIn(a.deps, w.users.viewer.email);
    const location = await approve(a.app, authorizePath(authorizeParams(client.client_id, challenge, w.url("shop"))), cookie);
    await a.close();
    opened.splice(opened.indexOf(a), 1);
    const b = await open(dataDir, OTHER);
    const res = await tokenRequest(b.app, {
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: client.client_id,
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toContain("another authorization server");
  });
});
