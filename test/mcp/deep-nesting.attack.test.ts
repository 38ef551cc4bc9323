/**
 * Issue 11 #18 (found by fuzzing): tools/call arguments nested ~50,000 levels deep (a 100 KB body)
 * overflowed the stack in the audit payload serializer, called from a `finally` in the MCP endpoint: an
 * HTML 500 on an MCP URL instead of a JSON-RPC error. Nesting is bounded when the body is parsed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { queryAudit } from "../../src/audit/query";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
let auth: Record<string, string>;
beforeAll(async () => {
  f = await mcpFixture();
  auth = { authorization: `Bearer ${await f.keyFor("viewer")}` };
  await createDraftTool(f.deps, f.project.id, { ...ECHO_TOOL, inputSchema: { type: "object" } });
  await publish(f.deps, f.project.id, f.users.admin);
});
afterAll(() => f?.stop());

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;

describe("deeply nested JSON", () => {
  for (const [where, body] of [
    ["tools/call arguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","deep":${deep(50_000)}}}}`],
    ["objects in params", `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}}}`],
  ] as const) {
    test(`attack: ${where} nested 50,000 levels deep get a JSON-RPC error, not an HTML 500`, async () => {
      const res = await rpc(f.url(), body, auth);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get("content-type")).toContain("application/json");
      const reply = await res.json();
      expect([-32600, -32602]).toContain(reply.error?.code);
      expect(reply.error.message).toContain("nested deeper than 64");
      // The server is fine afterwards and the next call is answered and audited.
      const ok = await rpc(f.url(), { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { text: "after" } } }, auth);
      expect(ok.status).toBe(200);
      await f.deps.audit.flush();
      expect((await queryAudit(f.deps.db, f.project.id, { tool: "echo" })).events.some((e) => e.input?.includes("after"))).toBe(true);
    });
  }
});
