/**
 * Issue 16 #3: one per-project setting says where the `portico_*` management tools are offered — off, the draft
 * URL (default) or draft and production — and production grants carry the management scopes only when it is on.
 * Consent may also grant less than the role allows. Real listener, real SDK client doing real OAuth.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { decodeJwt } from "jose";
import type { Channel, ManagementToolsSetting } from "../../src/db/schema";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { updateProject } from "../../src/projects/projects";
import { PASSWORD } from "../fixtures/world";
import { TestOAuthProvider } from "../oauth/sdk-provider";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

/** Connects an SDK client through the whole OAuth flow; `untick` scopes on the consent page. */
async function oauthClient(url: string, email: string, untick: string[] = []) {
  const provider = new TestOAuthProvider({ redirectUrl: "http://127.0.0.1:9/callback", user: { email, password: PASSWORD }, untick });
  const first = new Client({ name: "oauth-host", version: "2.0" });
  await expect(first.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
  await new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }).finishAuth(provider.code!);
  const client = new Client({ name: "oauth-host", version: "2.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  const token = provider.tokens()!.access_token;
  return { client, token, scopes: String(decodeJwt(token).scope).split(" ").sort() };
}

async function listedNames(url: string, bearer: string): Promise<string[]> {
  const res = await rpc(url, { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }, { authorization: `Bearer ${bearer}` });
  expect(res.status).toBe(200);
  return ((await res.json()).result.tools as Array<{ name: string }>).map((t) => t.name);
}

const management = (names: string[]) => names.filter((n) => n.startsWith("portico_"));

async function setUp() {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin);
}

describe("the management tools setting", () => {
  test("production lists no portico_* tool unless the project opted in to draft and production; draft follows the setting", async () => {
    await setUp();
    const key = await f.keyFor("owner");
    const seen = async (setting: ManagementToolsSetting, channel: Channel) => {
      await updateProject(f.deps.db, f.project.id, { managementTools: setting });
      return management(await listedNames(f.url(channel), key));
    };
    // The default, as a new project has it.
    expect((await listedNames(f.url(), key))).toEqual(["echo"]);
    expect(await seen("draft", "production")).toEqual([]);
    expect(await seen("draft", "draft")).toContain("portico_publish");
    expect(await seen("off", "production")).toEqual([]);
    expect(await seen("off", "draft")).toEqual([]);
    expect(await seen("draft_and_production", "production")).toEqual(expect.arrayContaining(["portico_create_tool", "portico_publish", "portico_query_audit"]));
    expect(await seen("draft_and_production", "draft")).toEqual(expect.arrayContaining(["portico_create_tool", "portico_publish", "portico_query_audit"]));
  });

  test("a management tool that is not offered on this URL cannot be called either: Unknown tool", async () => {
    await setUp();
    const key = await f.keyFor("owner");
    const call = async (channel: Channel) =>
      (await rpc(f.url(channel), { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "portico_list_tools", arguments: {} } }, { authorization: `Bearer ${key}` })).json();
    const refused = await call("production");
    expect(refused.error.code).toBe(-32602);
    expect(refused.error.message).toContain("Unknown tool");
    await updateProject(f.deps.db, f.project.id, { managementTools: "off" });
    expect((await call("draft")).error.code).toBe(-32602);
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft" });
    expect((await call("draft")).result.structuredContent.tools).toHaveLength(1);
  });

  test("an owner's production OAuth grant carries no management scope by default, and lists only the project's tools", async () => {
    await setUp();
    const { client, scopes } = await oauthClient(f.url(), "owner@example.com");
    expect(scopes).toEqual(["project:read", "tools:call"]);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await client.close();
  });

  test("with draft and production on, an owner's production grant carries the management scopes and lists the tools", async () => {
    await setUp();
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft_and_production" });
    const { client, scopes } = await oauthClient(f.url(), "owner@example.com");
    expect(scopes).toEqual(["project:read", "project:write", "publish", "settings", "tools:call"]);
    expect(management((await client.listTools()).tools.map((t) => t.name))).toContain("portico_publish");
    await client.close();
  });

  test("turning the setting off hides the tools from a grant that already holds the scopes", async () => {
    await setUp();
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft_and_production" });
    const { client, token } = await oauthClient(f.url(), "owner@example.com");
    expect(management(await listedNames(f.url(), token)).length).toBeGreaterThan(0);
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft" });
    expect(management(await listedNames(f.url(), token))).toEqual([]);
    await client.close();
  });
});

describe("unticking scopes at consent", () => {
  test("the grant carries exactly the ticked scopes, and the MCP endpoint allows only what they allow", async () => {
    await setUp();
    const full = await oauthClient(f.url("draft"), "developer@example.com");
    expect(full.scopes).toEqual(["draft", "project:read", "project:write", "tools:call"]);
    await full.client.close();

    const narrow = await oauthClient(f.url("draft"), "developer@example.com", ["project:write"]);
    expect(narrow.scopes).toEqual(["draft", "project:read", "tools:call"]);
    // No management tool is listed, and calling one is 403 insufficient_scope (the role allows it, the grant lacks it).
    expect(await listedNames(f.url("draft"), narrow.token)).toEqual(["echo"]);
    const res = await rpc(f.url("draft"), { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "portico_create_tool", arguments: {} } }, { authorization: `Bearer ${narrow.token}` });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    // What stayed ticked still works.
    const echoed = await narrow.client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(echoed.isError).toBeFalsy();
    await narrow.client.close();
  });

  test("unticking tools:call leaves a grant that lists tools but cannot run them", async () => {
    await setUp();
    const { client, token, scopes } = await oauthClient(f.url(), "viewer@example.com", ["tools:call"]);
    expect(scopes).toEqual(["project:read"]);
    expect(await listedNames(f.url(), token)).toEqual(["echo"]);
    const res = await rpc(f.url(), { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    await client.close();
  });

  test("project:read (and draft on the draft URL) cannot be unticked: the grant would be useless", async () => {
    await setUp();
    const { client, scopes } = await oauthClient(f.url("draft"), "developer@example.com", ["project:read", "draft", "project:write"]);
    expect(scopes).toEqual(["draft", "project:read", "tools:call"]);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await client.close();
  });
});
