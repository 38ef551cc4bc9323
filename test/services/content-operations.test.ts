/**
 * Where the content faces disagreed, one behaviour now (docs/architecture.md: Service layer): the
 * management tools take the operations' own schemas, so rollback says `number` and the publish note is
 * trimmed over MCP as on the API, and their org audit events are the operations' own.
 */
import { afterEach, expect, test } from "bun:test";
import { createDraftTool } from "../../src/projects/draft";
import { listVersions } from "../../src/projects/publish";
import { updateProject } from "../../src/projects/projects";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "../mcp/fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const actions = (f: McpFixture) =>
  (f.deps.db.$client.query("SELECT action, actor_id AS actor FROM org_audit_events WHERE action LIKE 'project.%' ORDER BY id").all() as Array<{ action: string; actor: string }>);

test("portico_publish trims the note and portico_rollback takes the version's number, each audited once", async () => {
  f = await mcpFixture();
  await updateProject(f.deps.db, f.project.id, { managementTools: "draft" });
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  const auth = { authorization: `Bearer ${await f.keyFor("admin")}` };
  const call = async (name: string, args: unknown) =>
    (await rpc(f.url("draft"), { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }, auth)).json();
  expect((await call("portico_publish", { note: "  first  " })).result.structuredContent).toMatchObject({ number: 1 });
  // An unchanged draft is refused (issue 16 #5), so v2 publishes a change.
  await createDraftTool(f.deps, f.project.id, { ...ECHO_TOOL, name: "echo_two" });
  expect((await call("portico_publish", {})).result.structuredContent).toMatchObject({ number: 2 });
  expect((await listVersions(f.deps, f.project.id)).map((v) => v.note)).toEqual([null, "first"]);
  expect((await call("portico_rollback", { version: 1 })).error.code).toBe(-32602);
  expect((await call("portico_rollback", { number: 1 })).result.structuredContent).toMatchObject({ number: 1 });
  expect((await listVersions(f.deps, f.project.id)).find((v) => v.live)?.number).toBe(1);
  expect(actions(f)).toEqual(["project.publish", "project.publish", "project.rollback"].map((action) => ({ action, actor: f.users.admin })));
});
