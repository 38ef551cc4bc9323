/**
 * Issue 11 #3: JSON-RPC batches bypassed the rate limits (one POST of 2,000 tools/call to a public project
 * ran 2,000 calls). Every batch element now counts; batches are capped at 50 elements.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { queryAudit } from "../../src/audit/query";
import { createDraftTool } from "../../src/projects/draft";
import { publish, setVisibility } from "../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const LEGACY = { "mcp-protocol-version": "2025-03-26" };
const call = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { text: `call ${id}` } } });

async function publicProject(overrides: Parameters<typeof mcpFixture>[0] = {}) {
  f = await mcpFixture(overrides);
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin);
  await setVisibility(f.deps, f.project.id, "public", f.users.admin);
}

async function legacySession(): Promise<string> {
  const init = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "batcher", version: "1" } } };
  const res = await rpc(f.url(), init);
  expect(res.status).toBe(200);
  return res.headers.get("mcp-session-id")!;
}

describe("JSON-RPC batches and rate limits", () => {
  test("attack: a batch larger than the remaining rate budget runs no more calls than the limit allows", async () => {
    await publicProject({ publicRateLimit: 10 });
    const sid = await legacySession(); // 1 of 10
    const res = await rpc(f.url(), Array.from({ length: 20 }, (_, i) => call(i + 1)), { ...LEGACY, "mcp-session-id": sid });
    expect(res.status).toBeLessThan(500);
    const replies = (await res.json()) as Array<{ id: number; result?: unknown; error?: { code: number; message: string } }>;
    expect(replies).toHaveLength(20);
    const refused = replies.filter((r) => r.error);
    expect(replies.filter((r) => r.result)).toHaveLength(9);
    expect(refused).toHaveLength(11);
    for (const r of refused) {
      expect(r.error!.code).toBe(-32000);
      expect(r.error!.message).toContain("Too many requests");
    }
    await f.deps.audit.flush();
    const calls = (await queryAudit(f.deps.db, f.project.id, { method: "tools/call", limit: 500 })).events;
    expect(calls.length).toBeLessThanOrEqual(9);
    // The budget is spent: the next request is refused as a whole.
    expect((await rpc(f.url(), call(99), { ...LEGACY, "mcp-session-id": sid })).status).toBe(429);
  });

  test("attack: a batch of 51 messages is refused with -32600 naming the cap, and runs nothing", async () => {
    await publicProject();
    const sid = await legacySession();
    const res = await rpc(f.url(), Array.from({ length: 51 }, (_, i) => call(i + 1)), { ...LEGACY, "mcp-session-id": sid });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32600);
    expect(body.error.message).toContain("at most 50");
    await f.deps.audit.flush();
    expect((await queryAudit(f.deps.db, f.project.id, { method: "tools/call" })).events).toHaveLength(0);
  });
});
