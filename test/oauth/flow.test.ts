/**
 * The whole "paste a URL" flow over a real listener with the MCP SDK's own client OAuth (`auth()`):
 * discovery → registration (DCR; CIMD has its own file) → sign-in on /login → consent → code → token →
 * an authenticated request → refresh → revoke → the next request is 401.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { auth, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createDraftTool } from "../../src/projects/draft";
import { startTestServer } from "../helpers";
import { authenticateBearer, type BearerTarget } from "../../src/oauth/bearer";
import { OAuthError } from "../../src/errors";
import type { RunningServer } from "../../src/server";
import { listGrants } from "../../src/oauth/grants";
import { listHandshakes } from "../../src/doctor/handshake";
import { PASSWORD, seedWorld, type World } from "./fixtures";
import { TestOAuthProvider } from "./sdk-provider";

let server: (RunningServer & { logs: { text: string } }) | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function probe(channelUrl: string, token?: string): Request {
  return new Request(channelUrl, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function targetOf(w: World, channel: "production" | "draft" = "production"): BearerTarget {
  return { orgId: w.org.id, projectId: w.shop.id, orgSlug: "acme", projectSlug: "shop", channel };
}

describe("full OAuth flow with the MCP SDK client", () => {
  test("DCR: discovery, sign-in, consent, token, bearer check, refresh, revoke, then 401", async () => {
    server = await startTestServer();
    const w = await seedWorld(server.deps);
    const serverUrl = w.url("shop");
    const provider = new TestOAuthProvider({ redirectUrl: "http://127.0.0.1:9/callback", user: { email: "developer@example.com", password: PASSWORD } });

    expect(await auth(provider, { serverUrl })).toBe("REDIRECT");
    // The browser was sent through /login and back to the stored request; the code came back with state and iss.
    expect(provider.visited.some((u) => new URL(u).pathname === "/login")).toBe(true);
    expect(provider.lastRedirect?.searchParams.get("state")).toBe("sdk-state-42");
    expect(provider.lastRedirect?.searchParams.get("iss")).toBe(server.url);
    expect(provider.code).toBeString();
    expect(provider.clientInformation()?.client_id).toStartWith("cli_");

    expect(await auth(provider, { serverUrl, authorizationCode: provider.code })).toBe("AUTHORIZED");
    const first = provider.tokens()!;
    expect(first.token_type).toBe("Bearer");
    expect(first.expires_in).toBe(8 * 3600);
    expect(first.refresh_token).toBeString();

    const principal = await authenticateBearer(server.deps, probe(serverUrl, first.access_token), targetOf(w));
    expect(principal).toMatchObject({ kind: "user", userId: w.users.developer.id, role: "developer" });
    expect(principal.scopes).toContain("tools:call");
    expect(await listGrants(server.deps, { projectId: w.shop.id })).toHaveLength(1);

    // Refresh: the SDK rotates the pair; the new access token works too.
    expect(await auth(provider, { serverUrl })).toBe("AUTHORIZED");
    const second = provider.tokens()!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await authenticateBearer(server.deps, probe(serverUrl, second.access_token), targetOf(w));

    // Revoke (RFC 7009) with the refresh token: the grant dies and the very next request is 401 invalid_token.
    const revoked = await fetch(`${server.url}/oauth/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: second.refresh_token!, client_id: provider.clientInformation()!.client_id }),
    });
    expect(revoked.status).toBe(200);
    const err = await authenticateBearer(server.deps, probe(serverUrl, second.access_token), targetOf(w)).catch((e) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.status).toBe(401);
    expect(err.code).toBe("invalid_token");
    expect(err.headers["www-authenticate"]).toContain('error="invalid_token"');
    expect(await listGrants(server.deps, { projectId: w.shop.id })).toHaveLength(0);

    const steps = (await listHandshakes(server.deps.db, w.shop.id)).map((h) => `${h.step}:${h.outcome}`);
    for (const step of ["resource_metadata:ok", "authorize:ok", "consent:ok", "token:ok", "refresh:ok", "mcp:ok", "revoke:ok"]) {
      expect(steps).toContain(step);
    }
  });
});

describe("full flow through the MCP endpoint with the SDK Client and transport", () => {
  test("401 → OAuth → tools/list → refresh → tools/list → revoke → next request 401 invalid_token", async () => {
    server = await startTestServer();
    const w = await seedWorld(server.deps);
    await createDraftTool(server.deps, w.shop.id, {
            name: "show",
            kind: "interactive",
            description: "Shows a card",
            inputSchema: { type: "object", properties: {} },
            html: "<!doctype html><p>hi</p>",
          });
    const serverUrl = new URL(w.url("shop", "draft"));
    const provider = new TestOAuthProvider({ redirectUrl: "http://127.0.0.1:9/callback", user: { email: "developer@example.com", password: PASSWORD } });

    // First contact: 401 with the challenge; the SDK discovers, registers and sends the browser to authorize.
    const first = new Client({ name: "flow-test", version: "1.0.0" });
    await expect(first.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.code).toBeString();
    const finishing = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
    await finishing.finishAuth(provider.code!);

    const client = new Client({ name: "flow-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }));
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("show");

    // Refresh through the SDK; the next call carries the rotated access token.
    const before = provider.tokens()!;
    expect(await auth(provider, { serverUrl })).toBe("AUTHORIZED");
    expect(provider.tokens()!.access_token).not.toBe(before.access_token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(names);

    const current = provider.tokens()!;
    const revoked = await fetch(`${server.url}/oauth/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: current.access_token, client_id: provider.clientInformation()!.client_id }),
    });
    expect(revoked.status).toBe(200);

    const after = await fetch(serverUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${current.access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(after.status).toBe(401);
    const challenge = after.headers.get("www-authenticate")!;
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain("revoked");
    expect(challenge).toContain(`resource_metadata="${server.url}/.well-known/oauth-protected-resource/acme/shop/draft"`);
    await client.close();
  });
});
