import { afterEach, expect, test } from "bun:test";
import { createDraftTool } from "../../src/projects/draft";
import { mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

test("the call's own session cancels it; a sessionless call is cancelled by the same API key only", async () => {
  f = await mcpFixture();
  const script = 'export default (input, env) => { env.log("info", "started"); while (true) {} }';
  await createDraftTool(f.deps, f.project.id, { name: "spin", kind: "script", description: "Never ends", timeoutMs: 20_000, script });
  const key = await f.keyFor("developer");
  const auth = { authorization: `Bearer ${key}`, "mcp-protocol-version": "2025-11-25" };
  const init = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "h", version: "1" } } };
  const sid = (await rpc(f.url("draft"), init, auth)).headers.get("mcp-session-id")!;
  const call = (id: number, extra: Record<string, string>) => rpc(f.url("draft"), { jsonrpc: "2.0", id, method: "tools/call", params: { name: "spin", arguments: {} } }, { ...auth, ...extra });
  const cancel = (id: number, extra: Record<string, string>) =>
    rpc(f.url("draft"), { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id } }, { ...auth, ...extra });
  const last = async (res: Response) => [...(await res.text()).matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!)).at(-1);

  const inSession = await call(1, { "mcp-session-id": sid });
  await cancel(1, { "mcp-session-id": sid });
  expect((await last(inSession)).result.content[0].text).toContain("cancelled");

  const sessionless = await call(2, {});
  await cancel(2, {});
  expect((await last(sessionless)).result.content[0].text).toContain("cancelled");
});
