/**
 * A script tool whose code does not parse is refused when it is saved, naming the line and column (issue 16
 * #2: "a script with a syntax error was 'Saved to the draft'"). The check lives in the draft service, so
 * every face refuses it the same way: the page, the JSON API, the CLI import and the management tools.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createDraftTool, getDraftTool, importManifest, listDraftTools, updateDraftTool } from "../../src/projects/draft";
import { checkScriptSyntax } from "../../src/tools/sandbox/syntax";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";
import { postForm, req } from "../helpers";
import { Cli } from "../cli/cli";
import { mcpFixture, rpc, type McpFixture } from "../mcp/fixture";

const GOOD = "export default async (input) => {\n  return { echoed: input };\n};\n";
/** Line 2, column 13: the `;` where an expression should be. */
const BROKEN = "export default async (input) => {\n  const x = ;\n  return x;\n};\n";
const tool = (script: string, name = "lookup") => ({ name, kind: "script", description: "d", script });

describe("the syntax check", () => {
  test("names the line and column where QuickJS stopped, and passes what parses", async () => {
    expect(await checkScriptSyntax(GOOD)).toBeNull();
    expect(await checkScriptSyntax(BROKEN)).toEqual({ line: 2, column: 13, message: "unexpected token in expression: ';'" });
    expect(await checkScriptSyntax("export default (")).toMatchObject({ line: 1 });
    // Top-level await is valid in a module (the sandbox loads scripts as modules).
    expect(await checkScriptSyntax("const n = await Promise.resolve(1);\nexport default () => n;")).toBeNull();
    // Only syntax is judged: an import fails at call time with its own configuration error.
    expect(await checkScriptSyntax("import x from 'fs'; export default () => x")).toBeNull();
  });
});

describe("a script with a syntax error is refused on every face", () => {
  const w = seededApp();
  const P = "/projects/acme/shop";

  test("service: create, update and import refuse it with the field, line and column; nothing is saved", async () => {
    await expect(createDraftTool(w.deps, w.project.id, tool(BROKEN))).rejects.toThrow("script: syntax error at line 2, column 13: unexpected token in expression: ';'");
    expect(await listDraftTools(w.deps, w.project.id)).toEqual([]);
    await createDraftTool(w.deps, w.project.id, tool(GOOD));
    const refused = updateDraftTool(w.deps, w.project.id, "lookup", { script: BROKEN });
    await expect(refused).rejects.toMatchObject({ status: 400, details: [{ field: "script", line: 2, column: 13 }] });
    expect((await getDraftTool(w.deps, w.project.id, "lookup")) as { script: string }).toMatchObject({ script: GOOD });
    await expect(importManifest(w.deps, w.project.id, { tools: [tool(GOOD, "a"), tool(BROKEN, "b")] })).rejects.toThrow("tools.1.script: syntax error at line 2, column 13");
    expect((await listDraftTools(w.deps, w.project.id)).map((t) => t.name)).toEqual(["lookup"]);
  });

  test("page: the form is shown again with the error beside the script, and what was typed", async () => {
    const dev = w.members.developer;
    const res = await postForm(w.app, "/admin/acme/shop/tools/new", {
      csrf: dev.csrf, kind: "script", name: "from_page", description: "", inputSchema: '{"type":"object","properties":{}}', script: BROKEN, timeoutMs: "10000", memoryMb: "128",
    }, dev.cookie);
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('<div class="field-error" id="e-script">syntax error at line 2, column 13: unexpected token in expression: &#39;;&#39;</div>');
    expect(page).toContain("const x = ;");
    expect(page).not.toContain("Saved to the draft");
    expect((await req(w.app, "/admin/acme/shop/tools/from_page", { headers: { cookie: dev.cookie } })).status).toBe(404);
  });

  test("JSON API: create and update answer 400 with the line and column", async () => {
    const created = await call(w.app, "POST", `${P}/tools`, { as: w.members.developer, body: tool(BROKEN, "from_api") });
    expect(created.status).toBe(400);
    expect(created.json.error).toMatchObject({ code: "invalid_input", message: expect.stringContaining("script: syntax error at line 2, column 13") });
    expect((await call(w.app, "POST", `${P}/tools`, { as: w.members.developer, body: tool(GOOD, "from_api") })).status).toBe(201);
    const patched = await call(w.app, "PATCH", `${P}/tools/from_api`, { as: w.members.developer, body: { script: BROKEN } });
    expect(patched.status).toBe(400);
    expect(patched.json.error.message).toContain("line 2, column 13");
  });
});

describe("a script with a syntax error over MCP and the CLI", () => {
  let f: McpFixture;
  afterEach(() => f?.stop());

  test("management tools portico_create_tool / portico_update_tool answer an error result naming the line", async () => {
    f = await mcpFixture();
    const auth = { authorization: `Bearer ${await f.keyFor("developer")}` };
    const callTool = (name: string, args: unknown) => rpc(f.url("draft"), { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }, auth);
    const created = await (await callTool("portico_create_tool", { tool: tool(BROKEN) })).json();
    expect(created.result.isError).toBe(true);
    expect(created.result.content[0].text).toContain("script: syntax error at line 2, column 13");
    await createDraftTool(f.deps, f.project.id, tool(GOOD));
    const updated = await (await callTool("portico_update_tool", { name: "lookup", changes: { script: BROKEN } })).json();
    expect(updated.result.isError).toBe(true);
    expect(updated.result.content[0].text).toContain("line 2, column 13");
    expect(((await getDraftTool(f.deps, f.project.id, "lookup")) as { script: string }).script).toBe(GOOD);
  });

  test("CLI: project import refuses the manifest (exit 2), naming the tool, line and column", async () => {
    const cli = new Cli();
    await cli.run("user", "create", "--email", "dev@acme.test", "--password", "correct horse battery");
    await cli.run("org", "create", "--slug", "acme", "--owner", "dev@acme.test");
    await cli.run("project", "create", "--org", "acme", "--slug", "shop");
    const manifest = `${cli.dataDir}/m.json`;
    await Bun.write(manifest, JSON.stringify({ tools: [tool(BROKEN)] }));
    const refused = await cli.run("project", "import", "--project", "acme/shop", "--file", manifest);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("tools.0.script: syntax error at line 2, column 13");
  });
});
