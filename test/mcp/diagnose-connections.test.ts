/**
 * Issue 17: `portico_diagnose_connections`, the connection doctor as a management tool (scope `settings`,
 * offered where management tools are on). A real listener and the MCP SDK's client: the text content is the
 * summary `portico doctor` prints, structuredContent the report with the self-check.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { recordHandshake } from "../../src/doctor/handshake";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { updateProject } from "../../src/projects/projects";
import { connectClient, ECHO_TOOL, mcpFixture, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const TOOL = "portico_diagnose_connections";

async function seeded() {
  f = await mcpFixture();
  await recordHandshake(f.deps.db, { projectId: f.project.id, clientId: "host-a", step: "token", outcome: "ok" }, 2_000);
  await recordHandshake(f.deps.db, { projectId: f.project.id, clientId: "host-b", step: "token", outcome: "fail", reason: "invalid_grant: code expired" }, 3_000);
}

describe("portico_diagnose_connections", () => {
  test("an owner on the draft URL gets the report as structuredContent and a ✓/✗ summary as text", async () => {
    await seeded();
    const client = await connectClient(f.url("draft"), await f.keyFor("owner"));
    const tools = (await client.listTools()).tools;
    const tool = tools.find((t) => t.name === TOOL)!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true });
    expect(Object.keys((tool.inputSchema as { properties: object }).properties).sort()).toEqual(["clientId", "selfCheck"]);
    const result = (await client.callTool({ name: TOOL, arguments: {} })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const report = result.structuredContent as any;
    expect(report).toMatchObject({ org: "acme", project: "shop", publicUrl: f.server.url });
    expect(report.clients.map((c: { clientId: string }) => c.clientId)).toEqual(["host-b", "host-a"]);
    expect(report.selfCheck.filter((i: { ok: boolean }) => !i.ok)).toEqual([]);
    const text = (result.content[0] as { text: string }).text;
    expect(text).toStartWith(`Connection doctor for acme/shop — public URL ${f.server.url}`);
    expect(text).toContain("Self-check (the public URL fetched as a host would): all passed");
    expect(text).toContain("  ✓ The production MCP URL asks hosts to sign in (401 with resource_metadata)");
    expect(text).toContain("token  failed — invalid_grant: code expired");
    await client.close();
  });

  test("clientId narrows the report; selfCheck false leaves the checklist out", async () => {
    await seeded();
    const client = await connectClient(f.url("draft"), await f.keyFor("admin"));
    const result = (await client.callTool({ name: TOOL, arguments: { clientId: "host-a", selfCheck: false } })) as CallToolResult;
    const report = result.structuredContent as any;
    expect(report.clients.map((c: { clientId: string }) => c.clientId)).toEqual(["host-a"]);
    expect(report.selfCheck).toBeNull();
    expect((result.content[0] as { text: string }).text).not.toContain("Self-check");
    await client.close();
  });

  test("a developer's credential, without settings, is not offered the tool; nor is production while management tools are on the draft only", async () => {
    await seeded();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await publish(f.deps, f.project.id, f.users.admin);
    const dev = await connectClient(f.url("draft"), await f.keyFor("developer"));
    expect((await dev.listTools()).tools.map((t) => t.name)).not.toContain(TOOL);
    await dev.close();
    const owner = await connectClient(f.url("production"), await f.keyFor("owner", "production"));
    expect((await owner.listTools()).tools.map((t) => t.name)).not.toContain(TOOL);
    await owner.close();
    await updateProject(f.deps.db, f.project.id, { managementTools: "draft_and_production" });
    const again = await connectClient(f.url("production"), await f.keyFor("owner", "production"));
    expect((await again.listTools()).tools.map((t) => t.name)).toContain(TOOL);
    await again.close();
  });
});
