/**
 * The MCP endpoint with real OAuth access tokens: the SDK client's own OAuth (discovery, DCR, sign-in,
 * consent, code, token) against a real listener, then tools, management tools, audit rows, and a role
 * lowered after consent (tools vanish; calling one is an isError result, never a 403 loop).
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { queryAudit } from "../../src/audit/query";
import { createDraftTool } from "../../src/projects/draft";
import { setRole } from "../../src/projects/orgs";
import { getProjectById, updateProject } from "../../src/projects/projects";
import { publish } from "../../src/projects/publish";
import { PASSWORD } from "../oauth/fixtures";
import { TestOAuthProvider } from "../oauth/sdk-provider";
import { ECHO_TOOL, mcpFixture, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());
// The OAuth walk (DCR, sign-in with argon2id, consent, token) is slow on a loaded 2-core machine.
setDefaultTimeout(20_000);

async function oauthClient(url: string, email: string): Promise<Client> {
  const provider = new TestOAuthProvider({ redirectUrl: "http://127.0.0.1:9/callback", user: { email, password: PASSWORD } });
  const first = new Client({ name: "oauth-host", version: "2.0" });
  await expect(first.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
  await new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }).finishAuth(provider.code!);
  const client = new Client({ name: "oauth-host", version: "2.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  return client;
}

const WRITER = { ...ECHO_TOOL, name: "writer", scope: "project:write" } as const;

describe("MCP with OAuth access tokens", () => {
  test("a developer's token lists tools and management tools, and its calls are audited with grant and client", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    const client = await oauthClient(f.url("draft"), "developer@example.com");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).toContain("portico_create_tool");
    expect(names).not.toContain("portico_publish");
    const res = await client.callTool({ name: "portico_set_instructions", arguments: { instructions: "Answer in French." } });
    expect(res.isError).toBeFalsy();
    expect((await getProjectById(f.deps.db, f.project.id)).instructions).toBe("Answer in French.");
    await f.deps.audit.flush();
    const row = (await queryAudit(f.deps.db, f.project.id, { tool: "portico_set_instructions" })).events[0]!;
    expect(row).toMatchObject({ principal: "user", userId: f.users.developer, channel: "draft", status: "ok", host: "oauth-host 2.0" });
    expect(row.grantId).toStartWith("gnt_");
    expect(row.clientId).toBeString();
    expect(row.apiKeyId).toBeNull();
    await client.close();
  });

  test("publish tools appear on the draft URL where the project offers management tools and the grant holds the scope", async () => {
    f = await mcpFixture();
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft" });
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    const client = await oauthClient(f.url("draft"), "admin@example.com");
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("portico_publish");
    const published = await client.callTool({ name: "portico_publish", arguments: { note: "from Claude" } });
    expect(published.structuredContent).toMatchObject({ number: 1 });
    expect((await getProjectById(f.deps.db, f.project.id)).productionVersionId).toBeString();
    await client.close();
  });

  test("portico_publish refuses, naming them, while declared secrets have no production value, unless confirm (issue 11 #1)", async () => {
    f = await mcpFixture();
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft" });
    await createDraftTool(f.deps, f.project.id, { name: "paid", kind: "script", description: "Uses a token", script: "export default () => 1", secrets: ["TOKEN"] });
    const client = await oauthClient(f.url("draft"), "admin@example.com");
    const refused = await client.callTool({ name: "portico_publish", arguments: {} });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain("Production values are missing for paid.TOKEN");
    expect((await getProjectById(f.deps.db, f.project.id)).productionVersionId).toBeNull();
    const published = await client.callTool({ name: "portico_publish", arguments: { confirm: true } });
    expect(published.structuredContent).toMatchObject({ number: 1 });
    await client.close();
  });

  test("a role lowered after consent hides tools beyond it; calling one is an isError result, not a 403", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await createDraftTool(f.deps, f.project.id, WRITER);
    await publish(f.deps, f.project.id, f.users.admin);
    // Production management tools on (issue 16 #3), so the grant holds project:write and portico_list_tools is listed.
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft_and_production" });
    const client = await oauthClient(f.url(), "developer@example.com");
    expect((await client.listTools()).tools.map((t) => t.name).filter((n) => !n.startsWith("portico_"))).toEqual(["echo", "writer"]);
    await setRole(f.deps.db, f.org.id, f.users.developer, "viewer");
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    const refused = await client.callTool({ name: "writer", arguments: { text: "hi" } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain("no longer allows");
    const mgmt = await client.callTool({ name: "portico_list_tools", arguments: {} });
    expect(mgmt.isError).toBe(true);
    await client.close();
  });
});
