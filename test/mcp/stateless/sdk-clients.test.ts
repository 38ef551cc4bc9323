/**
 * Real clients of both worlds on one channel URL: the SDK v1 `Client` (2025-11-25, initialize and a
 * session) and the SDK v2 `Client` (`@modelcontextprotocol/client`, negotiating 2026-07-28 with
 * server/discover), each listing and calling tools with an API key and with OAuth (the v2 client runs its
 * own OAuth flow through the same browser stand-in the v1 tests use).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as V1Transport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as V2Client, StreamableHTTPClientTransport as V2Transport, UnauthorizedError } from "@modelcontextprotocol/client";
import { queryAudit } from "../../../src/audit/query";
import { createDraftTool } from "../../../src/projects/draft";
import { publish } from "../../../src/projects/publish";
import { PASSWORD } from "../../fixtures/world";
import { TestOAuthProvider } from "../../oauth/sdk-provider";
import { ECHO_TOOL, mcpFixture, type McpFixture } from "../fixture";

let f: McpFixture;
beforeAll(async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin);
});
afterAll(() => f.stop());

const v2 = () => new V2Client({ name: "v2-host", version: "2.0.0" }, { versionNegotiation: { mode: "auto" } } as ConstructorParameters<typeof V2Client>[1]);
const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });

async function useTools(client: { listTools(): Promise<{ tools: Array<{ name: string }> }>; callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown> }) {
  expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
  expect(await client.callTool({ name: "echo", arguments: { text: "both worlds" } })).toMatchObject({ structuredContent: { text: "both worlds" } });
}

describe("v1 and v2 clients on the same URL", () => {
  test("with an API key: v1 speaks 2025-11-25 with a session, v2 speaks 2026-07-28 without one; both are audited with their host", async () => {
    const key = await f.keyFor("developer");
    const old = new V1Client({ name: "v1-host", version: "1.0.0" });
    const oldTransport = new V1Transport(new URL(f.url()), bearer(key));
    await old.connect(oldTransport);
    expect(oldTransport.sessionId).toBeString();
    await useTools(old);

    const modern = v2();
    const modernTransport = new V2Transport(new URL(f.url()), bearer(key));
    await modern.connect(modernTransport);
    expect(modern.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    expect(modernTransport.sessionId).toBeUndefined();
    await useTools(modern);
    await Promise.all([old.close(), modern.close()]);

    await f.deps.audit.flush();
    const calls = (await queryAudit(f.deps.db, f.project.id, { tool: "echo" })).events;
    expect(calls.map((r) => r.host).sort()).toEqual(["v1-host 1.0.0", "v2-host 2.0.0"]);
  });

  test("with OAuth: the v2 client discovers, registers, signs in and calls tools statelessly", async () => {
    const provider = new TestOAuthProvider({ redirectUrl: "http://127.0.0.1:9/callback", user: { email: "developer@example.com", password: PASSWORD } });
    const url = new URL(f.url());
    await expect(v2().connect(new V2Transport(url, { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.code).toBeString();
    await new V2Transport(url, { authProvider: provider }).finishAuth(provider.lastRedirect!.searchParams);
    const client = v2();
    await client.connect(new V2Transport(url, { authProvider: provider }));
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    await useTools(client);
    await client.close();

    // The same token serves a v1 session on the same URL.
    const old = new V1Client({ name: "v1-host", version: "1.0.0" });
    await old.connect(new V1Transport(url, bearer(provider.tokens()!.access_token)));
    await useTools(old);
    await old.close();
  });
});
