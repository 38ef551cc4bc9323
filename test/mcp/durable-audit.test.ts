/**
 * Durable audit when storage fails (issue 18; src/audit/writer.ts, src/mcp/guard.ts, src/mcp/run-request.ts): a
 * call whose audit row cannot be committed is not acknowledged — it is answered 503 once DURABLE_WAIT_MS has
 * passed — and while the writer's batches keep failing no request runs at all; once a retry lands, calls are
 * served again and the failed call's row is in the log. The failure is SQLite's own (a trigger aborting
 * every audit insert, as a full disk would), not a stand-in for the writer.
 */
import { afterEach, expect, test } from "bun:test";
import { DURABLE_WAIT_MS } from "../../src/audit/writer";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const call = (key: string, text: string) =>
  rpc(f.url("production"), { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text } } }, { authorization: `Bearer ${key}`, "mcp-protocol-version": "2025-06-18" });

test("a call whose audit row cannot be committed is answered 503, not acknowledged; meanwhile nothing runs; after recovery its row is written", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin);
  const key = await f.keyFor("owner", "production");
  expect((await call(key, "before")).status).toBe(200);
  const sqlite = f.deps.db.$client;
  sqlite.run("CREATE TRIGGER audit_fails BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");

  const started = performance.now();
  const failed = await call(key, "while-failing");
  expect(failed.status).toBe(503);
  expect(await failed.text()).toContain("could not be recorded in the audit log");
  expect(performance.now() - started).toBeGreaterThanOrEqual(DURABLE_WAIT_MS - 50);

  // The writer knows its batches fail: the next request is refused before anything runs.
  const refused = await call(key, "refused");
  expect(refused.status).toBe(503);
  expect(await refused.text()).toContain("the audit log cannot be written right now");

  sqlite.run("DROP TRIGGER audit_fails");
  // The writer retries its batch about once a second; once it lands, calls are served again.
  let status = 0;
  for (let i = 0; i < 40 && status !== 200; i++) {
    await Bun.sleep(100);
    status = (await call(key, "after")).status;
  }
  expect(status).toBe(200);
  await f.deps.audit.flush();
  const inputs = (sqlite.query("SELECT input FROM audit_events WHERE method = 'tools/call'").all() as { input: string }[]).map((r) => JSON.parse(r.input).text);
  expect(inputs).toContain("while-failing");
  expect(inputs).not.toContain("refused");
});
