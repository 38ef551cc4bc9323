import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
let key: string;
beforeAll(async () => {
  f = await mcpFixture({ maxBodyBytes: 4096 });
  key = await f.keyFor("developer");
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin);
});
afterAll(() => f?.stop());

const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } } };
const auth = () => ({ authorization: `Bearer ${key}` });

async function initialize(version = "2025-11-25", bearer = key): Promise<string> {
  const res = await rpc(f.url(), { ...INIT, params: { ...INIT.params, protocolVersion: version } }, { authorization: `Bearer ${bearer}` });
  expect(res.status).toBe(200);
  return res.headers.get("mcp-session-id")!;
}

describe("Streamable HTTP transport rules", () => {
  test("protocol versions are negotiated; an unknown client version gets the latest", async () => {
    for (const v of ["2025-11-25", "2025-06-18", "2025-03-26"]) {
      const body = await (await rpc(f.url(), { ...INIT, params: { ...INIT.params, protocolVersion: v } }, auth())).json();
      expect(body.result.protocolVersion).toBe(v);
    }
    const body = await (await rpc(f.url(), { ...INIT, params: { ...INIT.params, protocolVersion: "1999-01-01" } }, auth())).json();
    expect(body.result.protocolVersion).toBe("2025-11-25");
  });

  test("an invalid MCP-Protocol-Version header is 400", async () => {
    const res = await rpc(f.url(), { jsonrpc: "2.0", id: 1, method: "ping" }, { ...auth(), "mcp-protocol-version": "2024-01-01" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("MCP-Protocol-Version");
  });

  test("a foreign Origin is 403; loopback, own and no Origin are allowed", async () => {
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    expect((await rpc(f.url(), ping, { ...auth(), origin: "https://evil.example" })).status).toBe(403);
    expect((await rpc(f.url(), ping, { ...auth(), origin: "http://localhost:6274" })).status).toBe(200);
    expect((await rpc(f.url(), ping, { ...auth(), origin: f.server.url })).status).toBe(200);
    expect((await rpc(f.url(), ping, auth())).status).toBe(200);
  });

  test("CORS preflight is answered before auth with the MCP headers", async () => {
    const res = await fetch(f.url(), { method: "OPTIONS", headers: { origin: "http://localhost:6274", "access-control-request-method": "POST" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
    expect(res.headers.get("access-control-allow-headers")).toContain("Mcp-Session-Id");
    const post = await rpc(f.url(), INIT, { ...auth(), origin: "http://localhost:6274" });
    expect(post.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    const evil = await fetch(f.url(), { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
  });

  test("an oversize body is 413", async () => {
    const res = await rpc(f.url(), { jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(5000) } }, auth());
    expect(res.status).toBe(413);
  });

  test("JSON-RPC errors carry the standard codes", async () => {
    const code = async (body: unknown) => (await (await rpc(f.url(), body, auth())).json()).error.code;
    expect(await code("{not json")).toBe(-32700);
    expect(await code({ jsonrpc: "1.0", id: 1, method: "ping" })).toBe(-32600);
    expect(await code({ jsonrpc: "2.0", id: 1, method: "no/such" })).toBe(-32601);
    expect(await code({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: 5 } } })).toBe(-32602);
    expect(await code({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "nope" } })).toBe(-32602);
  });

  test("no credential is 401 with a resource-metadata challenge; cookies are never accepted", async () => {
    const res = await rpc(f.url(), INIT, { cookie: "portico_session=anything" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(`resource_metadata="${f.server.url}/.well-known/oauth-protected-resource/acme/shop"`);
    const bad = await rpc(f.url(), INIT, { authorization: "Bearer prt_not-a-real-key" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("a session is bound to the credential that created it, and DELETE ends it (then 404)", async () => {
    const sid = await initialize();
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    expect((await rpc(f.url(), ping, { ...auth(), "mcp-session-id": sid })).status).toBe(200);
    const other = await f.keyFor("developer");
    expect((await rpc(f.url(), ping, { authorization: `Bearer ${other}`, "mcp-session-id": sid })).status).toBe(404);
    expect((await rpc(f.url("draft"), ping, { ...auth(), "mcp-session-id": sid })).status).toBe(404);
    const del = await fetch(f.url(), { method: "DELETE", headers: { ...auth(), "mcp-session-id": sid } });
    expect(del.status).toBe(200);
    expect((await rpc(f.url(), ping, { ...auth(), "mcp-session-id": sid })).status).toBe(404);
    expect((await rpc(f.url(), ping, { ...auth(), "mcp-session-id": "made-up" })).status).toBe(404);
  });

  test("a trailing slash is served the same, without a redirect", async () => {
    const res = await rpc(`${f.url()}/`, { jsonrpc: "2.0", id: 1, method: "ping" }, auth());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jsonrpc: "2.0", id: 1, result: {} });
  });

  test("batches work on 2025-03-26 only; later versions answer -32600", async () => {
    const batch = [{ jsonrpc: "2.0", id: 1, method: "ping" }, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { jsonrpc: "2.0", method: "notifications/initialized" }];
    const old = await initialize("2025-03-26");
    const res = await rpc(f.url(), batch, { ...auth(), "mcp-session-id": old });
    const replies = await res.json();
    expect(replies.map((r: { id: number }) => r.id)).toEqual([1, 2]);
    expect(replies[1].result.tools.map((t: { name: string }) => t.name)).toContain("echo");
    const sid = await initialize("2025-11-25");
    const refused = await rpc(f.url(), batch, { ...auth(), "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe(-32600);
  });

  test("notifications alone are accepted with 202 and no body", async () => {
    const res = await rpc(f.url(), { jsonrpc: "2.0", method: "notifications/initialized" }, auth());
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
  });

  test("a browser opening the URL gets a page explaining what the address is for", async () => {
    const res = await fetch(f.url(), { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("MCP server address");
  });

  test("GET opens an SSE stream for the session; without a session it is refused", async () => {
    const sid = await initialize();
    const res = await fetch(f.url(), { headers: { ...auth(), accept: "text/event-stream", "mcp-session-id": sid } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    await res.body!.cancel();
    expect((await fetch(f.url(), { headers: { ...auth(), accept: "text/event-stream" } })).status).toBe(400);
  });
});
