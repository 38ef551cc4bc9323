/**
 * `application_type` at dynamic registration (OIDC Registration §2; MCP 2026-07-28 client registration,
 * SEP-837): declared types are checked against the redirect URIs and stored; an omitted one keeps every
 * pre-SEP-837 client (mcp-remote, SDK 1.x) registering as before.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { registerClient as sdkRegister, resolveClientMetadata } from "@modelcontextprotocol/client";
import { BASE, makeApp, req, type TestApp } from "../helpers";
import { oauthClients } from "../../src/db/schema";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(() => t.close());

function register(body: Record<string, unknown>) {
  return req(t.app, "/oauth/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "App", token_endpoint_auth_method: "none", ...body }),
  });
}

const stored = (clientId: string) => t.deps.db.select().from(oauthClients).where(eq(oauthClients.id, clientId)).get()!;

describe("application_type at registration (OIDC Registration §2, SEP-837)", () => {
  test("native: loopback, private-use and claimed https redirects register; the type is echoed and stored", async () => {
    const res = await register({ application_type: "native", redirect_uris: ["http://127.0.0.1:33418/callback", "com.example.app:/oauth", "https://app.example/cb"] });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.application_type).toBe("native");
    expect(stored(body.client_id).applicationType).toBe("native");
  });

  test("web: https redirects on a real host register", async () => {
    const body = await (await register({ application_type: "web", redirect_uris: ["https://claude.ai/api/mcp/auth_callback"] })).json();
    expect(body.application_type).toBe("web");
    expect(stored(body.client_id).applicationType).toBe("web");
  });

  test("web with a loopback, https-localhost or private-use redirect is invalid_redirect_uri, telling the client to say native", async () => {
    for (const uri of ["http://127.0.0.1:33418/callback", "http://localhost:6274/oauth/callback", "https://localhost:8443/cb", "com.example.app:/oauth"]) {
      const res = await register({ application_type: "web", redirect_uris: ["https://app.example/cb", uri] });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toBe("invalid_redirect_uri");
      expect(body.error_description).toContain(uri);
      expect(body.error_description).toContain('application_type "native"');
    }
    expect(t.deps.db.select().from(oauthClients).all()).toEqual([]);
  });

  test("a value other than web or native is invalid_client_metadata", async () => {
    const res = await register({ application_type: "desktop", redirect_uris: ["http://127.0.0.1/cb"] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_client_metadata", error_description: 'application_type: must be "web" or "native"' });
  });

  test("omitted (mcp-remote, SDK 1.x): loopback redirects still register, nothing is stored or echoed as the type", async () => {
    const res = await register({ client_name: "mcp-remote", redirect_uris: ["http://localhost:3334/oauth/callback"] });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).not.toHaveProperty("application_type");
    expect(stored(body.client_id).applicationType).toBeNull();
  });

  test("the SDK v2 client registers with the type it derives from a loopback redirect (native)", async () => {
    const fetchFn = (url: string | URL, init?: RequestInit) => t.app.handle(new Request(url, init));
    const metadata = await (await req(t.app, "/.well-known/oauth-authorization-server")).json();
    const clientMetadata = resolveClientMetadata({
      redirectUrl: "http://127.0.0.1:33418/callback",
      clientMetadata: { client_name: "SDK v2", redirect_uris: ["http://127.0.0.1:33418/callback"], token_endpoint_auth_method: "none" },
    } as never);
    expect(clientMetadata.application_type).toBe("native");
    const info = await sdkRegister(BASE, { metadata, clientMetadata, fetchFn });
    expect(stored(info.client_id).applicationType).toBe("native");
  });
});
