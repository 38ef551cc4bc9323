/**
 * `tools.duplicate` through all four faces (docs/architecture.md: Service layer): one operation, one
 * permission rule, one audit event — the page button, the API route, the management tool and the CLI
 * command each add one adapter line and behave the same.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createDraftTool, getDraftTool } from "../../src/projects/draft";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";
import { postForm, req } from "../helpers";
import { Cli } from "../cli/cli";
import { mcpFixture, rpc, type McpFixture } from "../mcp/fixture";

const SOURCE = {
  name: "lookup", kind: "script", title: "Lookup", description: "Looks things up.", secrets: ["API_KEY"],
  inputSchema: { type: "object", properties: { q: { type: "string" } } },
  script: "export default async (i) => ({ q: i.q })",
};

const events = (db: { $client: { query(sql: string): { all(): unknown[] } } }) =>
  db.$client.query("SELECT action, actor_id AS actor, target_type AS type, target_id AS id, details FROM org_audit_events WHERE action = 'tool.duplicated' ORDER BY id").all();

describe("duplicate a tool", () => {
  const w = seededApp();
  const P = "/projects/acme/shop";

  test("JSON API: a developer copies a draft tool (secret names, no values), audited; a viewer is refused", async () => {
    await createDraftTool(w.deps, w.project.id, SOURCE);
    await w.deps.tools.secrets.setSecret(w.project.id, "lookup", "API_KEY", "draft-value", "draft");
    const res = await call(w.app, "POST", `${P}/tools/lookup/duplicate`, { as: w.members.developer, body: { newName: "lookup_v2" } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: "lookup_v2", title: "Lookup (copy)", kind: "script", secrets: ["API_KEY"], script: SOURCE.script });
    expect(await w.deps.tools.secrets.listSecretNames(w.project.id, "lookup_v2", "draft")).toEqual([]);
    expect(events(w.deps.db)).toEqual([{ action: "tool.duplicated", actor: w.members.developer.id, type: "tool", id: "lookup_v2", details: JSON.stringify({ from: "lookup" }) }]);
    expect((await call(w.app, "POST", `${P}/tools/lookup/duplicate`, { as: w.members.viewer, body: { newName: "nope" } })).status).toBe(403);
    const taken = await call(w.app, "POST", `${P}/tools/lookup/duplicate`, { as: w.members.developer, body: { newName: "lookup_v2" } });
    expect(taken.status).toBe(409);
    expect((await call(w.app, "POST", `${P}/tools/lookup/duplicate`, { as: w.members.developer, body: { newName: "Bad Name" } })).status).toBe(400);
  });

  test("page: the tool page's Duplicate form copies it and lands on the copy with a confirmation", async () => {
    const base = "/admin/acme/shop/tools";
    const page = await (await req(w.app, `${base}/lookup`, { headers: { cookie: w.members.developer.cookie } })).text();
    expect(page).toContain("Duplicate tool");
    const res = await postForm(w.app, `${base}/lookup/duplicate`, { csrf: w.members.developer.csrf, newName: "lookup_page" }, w.members.developer.cookie);
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toStartWith(`${base}/lookup_page?ok=duplicated`);
    expect(await (await req(w.app, location, { headers: { cookie: w.members.developer.cookie } })).text()).toContain("Copy saved to the draft");
    const again = await postForm(w.app, `${base}/lookup/duplicate`, { csrf: w.members.developer.csrf, newName: "lookup_page" }, w.members.developer.cookie);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("lookup_page");
  });
});

describe("duplicate a tool over MCP and the CLI", () => {
  let f: McpFixture;
  afterEach(() => f?.stop());

  test("management tool portico_duplicate_tool: listed with the operation's schema, runs through the same rule", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, SOURCE);
    const auth = { authorization: `Bearer ${await f.keyFor("developer")}` };
    const list = await (await rpc(f.url("draft"), { jsonrpc: "2.0", id: 1, method: "tools/list" }, auth)).json();
    const tool = list.result.tools.find((t: { name: string }) => t.name === "portico_duplicate_tool");
    expect(tool.inputSchema).toMatchObject({ type: "object", required: ["name", "newName"] });
    const callDup = (args: unknown, headers = auth) => rpc(f.url("draft"), { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "portico_duplicate_tool", arguments: args } }, headers);
    const done = await (await callDup({ name: "lookup", newName: "lookup_mcp" })).json();
    expect(done.result.structuredContent.tool).toMatchObject({ name: "lookup_mcp", secrets: ["API_KEY"] });
    expect(await getDraftTool(f.deps, f.project.id, "lookup_mcp")).toMatchObject({ kind: "script", script: SOURCE.script });
    expect(events(f.deps.db)).toEqual([expect.objectContaining({ actor: f.users.developer, id: "lookup_mcp" })]);
    const bad = await (await callDup({ name: "lookup" })).json();
    expect(bad.error.code).toBe(-32602);
    const clash = await (await callDup({ name: "lookup", newName: "lookup_mcp" })).json();
    expect(clash.result.isError).toBe(true);
  });

  test("CLI: portico tool duplicate acts as --as with that user's role", async () => {
    const cli = new Cli();
    await cli.run("user", "create", "--email", "dev@acme.test", "--password", "correct horse battery");
    await cli.run("user", "create", "--email", "view@acme.test", "--password", "correct horse battery");
    await cli.run("org", "create", "--slug", "acme", "--owner", "dev@acme.test");
    await cli.run("member", "add", "--org", "acme", "--email", "view@acme.test", "--role", "viewer");
    await cli.run("project", "create", "--org", "acme", "--slug", "shop");
    const manifest = `${cli.dataDir}/m.json`;
    await Bun.write(manifest, JSON.stringify({ tools: [SOURCE] }));
    await cli.run("project", "import", "--project", "acme/shop", "--file", manifest);
    const ok = await cli.run("tool", "duplicate", "--project", "acme/shop", "--tool", "lookup", "--new-name", "lookup_cli", "--as", "dev@acme.test", "--json");
    expect(ok.code).toBe(0);
    expect(ok.json.tool).toMatchObject({ name: "lookup_cli", title: "Lookup (copy)" });
    const refused = await cli.run("tool", "duplicate", "--project", "acme/shop", "--tool", "lookup", "--new-name", "x_copy", "--as", "view@acme.test");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("You need to be a developer");
  });
});
