import { afterEach, expect, test } from "bun:test";
import { createDraftTool } from "../../src/projects/draft";
import { publish, setVisibility } from "../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

test("a batch of exactly 50 runs every element when the budget allows; replies keep the message order", async () => {
  f = await mcpFixture({ publicRateLimit: 52 });
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin);
  await setVisibility(f.deps, f.project.id, "public", f.users.admin);
  const headers = { "mcp-protocol-version": "2025-03-26" };
  const pings = (n: number) => Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "ping" }));
  const res = await rpc(f.url(), pings(50), headers);
  expect(res.status).toBe(200);
  const replies = (await res.json()) as Array<{ result?: unknown }>;
  expect(replies.filter((r) => r.result)).toHaveLength(50);
  // 50 used; the guard takes the 51st, the first element; the remaining 2 of 3 are refused one by one.
  const partial = (await (await rpc(f.url(), pings(3), headers)).json()) as Array<{ result?: unknown; error?: { code: number } }>;
  expect(partial.map((r) => (r.result ? "ok" : r.error!.code))).toEqual(["ok", "ok", -32000]);
});

test("nesting up to the limit is accepted; one level more is -32600", async () => {
  const { MAX_JSON_DEPTH, nestedDeeperThan } = await import("../../src/mcp/rpc");
  const nest = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
  expect(nestedDeeperThan(nest(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
  expect(nestedDeeperThan(nest(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
  // Brackets inside strings (and escaped quotes) do not count.
  expect(nestedDeeperThan(JSON.stringify({ s: `\\"${"[".repeat(500)}` }), 2)).toBe(false);
});
