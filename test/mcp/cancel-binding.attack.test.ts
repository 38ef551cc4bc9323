/**
 * Issue 11 #11: a running call was found for notifications/cancelled by `credential|requestId`, and an
 * anonymous caller's credential is just its IP, so anyone behind the same address (every user of a cloud
 * host, say) could cancel anyone's call on a public project. Cancellation is bound to the session now.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createDraftTool } from "../../src/projects/draft";
import { publish, setVisibility } from "../../src/projects/publish";
import { mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const SLOW = {
  name: "slow",
  kind: "script",
  description: "Logs, then works for a while",
  timeoutMs: 15_000,
  script: 'export default (input, env) => { env.log("info", "started"); const end = Date.now() + 1500; while (Date.now() < end) {} return { done: true }; }',
} as const;

async function session(name: string): Promise<string> {
  const init = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name, version: "1" } } };
  const res = await rpc(f.url(), init);
  expect(res.status).toBe(200);
  return res.headers.get("mcp-session-id")!;
}

/** The last JSON-RPC message of an SSE response (the call's result). */
async function finalMessage(res: Response): Promise<{ result?: { isError?: boolean; structuredContent?: unknown; content?: unknown } }> {
  const text = await res.text();
  const data = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
  return data.at(-1);
}

describe("notifications/cancelled", () => {
  test("attack: another anonymous caller behind the same IP cannot cancel a public project's running call", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, SLOW);
    await publish(f.deps, f.project.id, f.users.admin);
    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    const victim = await session("victim");
    const attacker = await session("attacker");
    const headers = { "mcp-protocol-version": "2025-11-25" };
    // The victim's call answers as SSE as soon as its handler logs, i.e. once it is running.
    const running = await rpc(f.url(), { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "slow", arguments: {} } }, { ...headers, "mcp-session-id": victim });
    expect(running.headers.get("content-type")).toBe("text/event-stream");
    const cancel = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7, reason: "gotcha" } };
    expect((await rpc(f.url(), cancel, headers)).status).toBe(202);
    expect((await rpc(f.url(), cancel, { ...headers, "mcp-session-id": attacker })).status).toBe(202);
    const reply = await finalMessage(running);
    expect(reply.result?.isError).toBeFalsy();
    expect(reply.result?.structuredContent).toEqual({ done: true });
  });
});
