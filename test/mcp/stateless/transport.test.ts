/**
 * MCP 2026-07-28 on a channel URL, over real HTTP: what a stateless request must carry, what every result
 * gains, and that the 2025 world on the same URL is untouched.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createDraftTool } from "../../../src/projects/draft";
import { publish } from "../../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "../fixture";
import { queryAudit } from "../../../src/audit/query";
import { call2026, meta, standardHeaders, V2026 } from "./support";

let f: McpFixture;
let key: string;

beforeAll(async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await createDraftTool(f.deps, f.project.id, { ...ECHO_TOOL, name: "alpha", description: "First by name" });
  await createDraftTool(f.deps, f.project.id, {
        name: "logger", kind: "script", description: "Logs twice", inputSchema: { type: "object", properties: {} },
        script: 'export default async (input, env) => { env.log("info", "one"); env.log("debug", "two"); return { content: [{ type: "text", text: "done" }] }; }',
      });
  await createDraftTool(f.deps, f.project.id, {
        name: "regional", kind: "interactive", description: "Mirrors region into a header",
        inputSchema: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" }, count: { type: "integer", "x-mcp-header": "Count" } } },
        html: "<!doctype html><p>r</p>",
      });
  await publish(f.deps, f.project.id, f.users.admin);
  key = await f.keyFor("developer");
});
afterAll(() => f.stop());

describe("stateless requests", () => {
  test("server/discover lists every version, the capabilities, the server's identity and the instructions", async () => {
    const { status, body } = await call2026(f.url(), "server/discover", {}, { bearer: key });
    expect(status).toBe(200);
    expect(body.result).toMatchObject({
      resultType: "complete",
      supportedVersions: [V2026, "2025-11-25", "2025-06-18", "2025-03-26"],
      capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } },
      instructions: "Use the shop tools to answer.",
      cacheScope: "private",
    });
    expect(body.result._meta["io.modelcontextprotocol/serverInfo"]).toMatchObject({ name: "Shop" });
    expect(body.result.ttlMs).toBeGreaterThan(0);
  });

  test("server/discover also answers a 2025 session", async () => {
    const init = await rpc(f.url(), { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "old", version: "1" } } }, { authorization: `Bearer ${key}` });
    const session = init.headers.get("mcp-session-id")!;
    const res = await rpc(f.url(), { jsonrpc: "2.0", id: 2, method: "server/discover" }, { authorization: `Bearer ${key}`, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" });
    expect((await res.json()).result.supportedVersions).toContain(V2026);
  });

  test("tools/list carries resultType, ttlMs, a private cacheScope and a deterministic order; tools/call works with no session", async () => {
    const list = await call2026(f.url(), "tools/list", {}, { bearer: key });
    expect(list.body.result).toMatchObject({ resultType: "complete", cacheScope: "private", ttlMs: 60_000 });
    const names = list.body.result.tools.map((t: { name: string }) => t.name).filter((n: string) => !n.startsWith("portico_"));
    expect(names).toEqual((await call2026(f.url(), "tools/list", {}, { bearer: key })).body.result.tools.map((t: { name: string }) => t.name).filter((n: string) => !n.startsWith("portico_")));
    const call = await call2026(f.url(), "tools/call", { name: "echo", arguments: { text: "hi" } }, { bearer: key });
    expect(call.status).toBe(200);
    expect(call.response.headers.get("mcp-session-id")).toBeNull();
    expect(call.body.result).toMatchObject({ resultType: "complete", structuredContent: { text: "hi" } });
    expect(call.body.result.ttlMs).toBeUndefined();
  });

  test("the draft channel's lists are immediately stale (ttlMs 0)", async () => {
    const { body } = await call2026(f.url("draft"), "tools/list", {}, { bearer: key });
    expect(body.result.ttlMs).toBe(0);
  });

  test("a request without _meta, or without its protocol version or client capabilities, is -32602 with HTTP 400 and its id", async () => {
    const bare = await rpc(f.url(), { jsonrpc: "2.0", id: 7, method: "tools/list", params: {} }, { authorization: `Bearer ${key}`, "mcp-protocol-version": V2026, "mcp-method": "tools/list" });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ id: 7, error: { code: -32602 } });
    const noCaps = await rpc(f.url(), { jsonrpc: "2.0", id: 8, method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": V2026 } } }, { authorization: `Bearer ${key}`, "mcp-protocol-version": V2026, "mcp-method": "tools/list" });
    expect(noCaps.status).toBe(400);
    expect((await noCaps.json()).error.message).toContain("clientCapabilities");
  });

  test("a request without clientInfo is served (it is a SHOULD)", async () => {
    const body = { jsonrpc: "2.0", id: 9, method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": V2026, "io.modelcontextprotocol/clientCapabilities": {} } } };
    const res = await rpc(f.url(), body, { authorization: `Bearer ${key}`, "mcp-protocol-version": V2026, "mcp-method": "tools/list" });
    expect(res.status).toBe(200);
  });

  test("an unknown version is -32022 listing what is supported and echoing the request; a header that disagrees with _meta is -32020", async () => {
    const unknown = await call2026(f.url(), "tools/list", {}, { bearer: key, headers: { "mcp-protocol-version": "2099-01-01" }, metaExtra: { "io.modelcontextprotocol/protocolVersion": "2099-01-01" }, id: 11 });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ id: 11, error: { code: -32022, data: { requested: "2099-01-01" } } });
    expect(unknown.body.error.data.supported).toContain(V2026);
    const disagree = await call2026(f.url(), "tools/list", {}, { bearer: key, metaExtra: { "io.modelcontextprotocol/protocolVersion": "2099-01-01" } });
    expect(disagree.status).toBe(400);
    expect(disagree.body.error.code).toBe(-32020);
    const noHeader = await call2026(f.url(), "tools/list", {}, { bearer: key, headers: { "mcp-protocol-version": null } });
    expect([noHeader.status, noHeader.body.error.code]).toEqual([400, -32020]);
  });

  test("Mcp-Method and Mcp-Name must match the body (values case-sensitive, whitespace trimmed, Base64 sentinel decoded)", async () => {
    const params = { name: "echo", arguments: { text: "x" } };
    const cases: Array<[Record<string, string | null>, number]> = [
      [{ "mcp-method": null }, 400],
      [{ "mcp-method": "tools/list" }, 400],
      [{ "mcp-method": "TOOLS/CALL" }, 400],
      [{ "mcp-name": null }, 400],
      [{ "mcp-name": "shout" }, 400],
      [{ "mcp-name": "  echo  " }, 200],
      [{ "mcp-name": `=?base64?${btoa("echo")}?=` }, 200],
      [{ "mcp-name": "=?base64?ZWNobw?=" }, 400],
    ];
    for (const [headers, status] of cases) {
      const r = await call2026(f.url(), "tools/call", params, { bearer: key, headers });
      expect([JSON.stringify(headers), r.status]).toEqual([JSON.stringify(headers), status]);
      if (status === 400) expect(r.body.error.code).toBe(-32020);
    }
  });

  test("x-mcp-header parameters must be mirrored into Mcp-Param-* headers that match the arguments", async () => {
    const params = { name: "regional", arguments: { region: "eu-west1", count: 3 } };
    const ok = await call2026(f.url(), "tools/call", params, { bearer: key, headers: { "mcp-param-region": "eu-west1", "mcp-param-count": "3.0" } });
    expect(ok.status).toBe(200);
    const missing = await call2026(f.url(), "tools/call", params, { bearer: key, headers: { "mcp-param-region": "eu-west1" } });
    expect([missing.status, missing.body.error.code]).toEqual([400, -32020]);
    const wrong = await call2026(f.url(), "tools/call", params, { bearer: key, headers: { "mcp-param-region": "us-east1", "mcp-param-count": "3" } });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, -32020]);
    const encoded = await call2026(f.url(), "tools/call", { name: "regional", arguments: { region: "Zürich" } }, { bearer: key, headers: { "mcp-param-region": `=?base64?${Buffer.from("Zürich").toString("base64")}?=` } });
    expect(encoded.status).toBe(200);
    const omitted = await call2026(f.url(), "tools/call", { name: "regional", arguments: {} }, { bearer: key });
    expect(omitted.status).toBe(200);
    // Integers compare numerically only in decimal notation: an intermediary must route on the same text.
    for (const count of ["0x3", "3e0", "0b11", " "]) {
      const odd = await call2026(f.url(), "tools/call", params, { bearer: key, headers: { "mcp-param-region": "eu-west1", "mcp-param-count": count } });
      expect([count, odd.status]).toEqual([count, 400]);
    }
  });

  test("removed and unknown methods are 404 with -32601", async () => {
    for (const method of ["initialize", "ping", "logging/setLevel", "resources/subscribe", "nope/nothing"]) {
      const r = await call2026(f.url(), method, {}, { bearer: key, id: 42 });
      expect([method, r.status, r.body.id, r.body.error.code]).toEqual([method, 404, 42, -32601]);
    }
  });

  test("log messages are sent only when the request sets a log level, and only at or above it", async () => {
    const quiet = await call2026(f.url(), "tools/call", { name: "logger", arguments: {} }, { bearer: key });
    const messages = (r: { body: any }) => (Array.isArray(r.body) ? r.body : [r.body]).filter((m: any) => m.method === "notifications/message");
    expect(messages(quiet)).toHaveLength(0);
    const info = await call2026(f.url(), "tools/call", { name: "logger", arguments: {} }, { bearer: key, metaExtra: { "io.modelcontextprotocol/logLevel": "info" } });
    expect(messages(info).map((m: any) => m.params.data)).toEqual(["one"]);
    const debug = await call2026(f.url(), "tools/call", { name: "logger", arguments: {} }, { bearer: key, metaExtra: { "io.modelcontextprotocol/logLevel": "debug" } });
    expect(messages(debug).map((m: any) => m.params.data)).toEqual(["one", "two"]);
  });

  test("resources/read of an unknown URI is -32602 with the uri (2026) and stays -32002 for 2025 sessions", async () => {
    const r = await call2026(f.url(), "resources/read", { uri: "ui://acme/shop/missing" }, { bearer: key });
    expect(r.body.error).toMatchObject({ code: -32602, data: { uri: "ui://acme/shop/missing" } });
    const read = await call2026(f.url(), "resources/read", { uri: "ui://acme/shop/echo" }, { bearer: key });
    expect(read.body.result).toMatchObject({ resultType: "complete", cacheScope: "private" });
  });

  test("a stateless request ignores an Mcp-Session-Id it carries (nothing is looked up), and needs a credential like any other", async () => {
    const r = await call2026(f.url(), "tools/list", {}, { bearer: key, headers: { "mcp-session-id": "not-a-session" } });
    expect(r.status).toBe(200);
    const anonymous = await call2026(f.url(), "tools/list");
    expect(anonymous.status).toBe(401);
    expect(anonymous.response.headers.get("www-authenticate")).toContain("resource_metadata=");
  });

  test("a 2025 client sending an unknown MCP-Protocol-Version header gets -32022 with the supported list", async () => {
    const res = await rpc(f.url(), { jsonrpc: "2.0", id: 1, method: "ping" }, { authorization: `Bearer ${key}`, "mcp-protocol-version": "2024-01-01" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: -32022, data: { requested: "2024-01-01" } });
  });
});

describe("the 2025-only routes", () => {
  test("GET and DELETE with MCP-Protocol-Version 2026-07-28 are 405: that revision has no GET stream and no sessions", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(f.url(), { method, headers: { authorization: `Bearer ${key}`, accept: "text/event-stream", "mcp-protocol-version": V2026 } });
      expect([method, res.status, res.headers.get("allow")]).toEqual([method, 405, "POST, OPTIONS"]);
    }
  });
});

describe("cancellation", () => {
  test("closing a 2026 call's response stream cancels it: the sandbox stops and the audit row says so", async () => {
    const script = 'export default (input, env) => { env.log("info", "started"); while (true) {} }';
    await createDraftTool(f.deps, f.project.id, { name: "spin", kind: "script", description: "Never ends", timeoutMs: 20_000, script });
    const started = performance.now();
    const res = await rpc(
      f.url("draft"),
      { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "spin", arguments: {}, _meta: { ...meta(), "io.modelcontextprotocol/logLevel": "info" } } },
      { authorization: `Bearer ${key}`, ...standardHeaders("tools/call", { name: "spin" }) },
    );
    // The log notification switched the reply to SSE: the call is running. Close the stream.
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    for (let i = 0; i < 100; i++) {
      await f.deps.audit.flush();
      const row = (await queryAudit(f.deps.db, f.project.id, { tool: "spin" })).events[0];
      if (row) {
        expect(row.status).toBe("error");
        expect(row.error).toContain("cancel");
        expect(performance.now() - started).toBeLessThan(10_000);
        return;
      }
      await Bun.sleep(50);
    }
    throw new Error("the cancelled call was never audited");
  });
});

describe("what the audit row records of a 2026 call", () => {
  test("the protocol revision, the client's name from _meta and a well-formed traceparent (a malformed one is dropped)", async () => {
    const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await call2026(f.url(), "tools/call", { name: "echo", arguments: { text: "traced" } }, { bearer: key, metaExtra: { traceparent: trace } });
    await call2026(f.url(), "tools/call", { name: "echo", arguments: { text: "untraced" } }, { bearer: key, metaExtra: { traceparent: "00-xyz\nINJECTED" } });
    await f.deps.audit.flush();
    const rows = (await queryAudit(f.deps.db, f.project.id, { tool: "echo" })).events.slice(0, 2);
    expect(rows.map((r) => [r.protocolVersion, r.host, r.traceparent])).toEqual([
      [V2026, "raw-2026 1", null],
      [V2026, "raw-2026 1", trace],
    ]);
  });
});

describe("browsers and the audit log", () => {
  test("a CORS preflight allows the 2026 standard headers and the Mcp-Param-* headers it asks for", async () => {
    const res = await fetch(f.url(), {
      method: "OPTIONS",
      headers: { origin: "http://localhost:6274", "access-control-request-method": "POST", "access-control-request-headers": "mcp-method, mcp-name, mcp-param-region, x-evil" },
    });
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["mcp-method", "mcp-name", "mcp-protocol-version", "mcp-param-region"]) expect(allowed).toContain(h);
    expect(allowed).not.toContain("x-evil");
  });

  test("a request refused for its headers or _meta is audited as a protocol error", async () => {
    await call2026(f.url(), "prompts/list", {}, { bearer: key, headers: { "mcp-method": "tools/list" } });
    await f.deps.audit.flush();
    const row = (await queryAudit(f.deps.db, f.project.id, {})).events.find((r) => r.method === "prompts/list" && r.status === "error");
    expect(row).toMatchObject({ errorClass: "protocol", protocolVersion: V2026 });
    expect(row!.error).toContain("Mcp-Method");
  });
});
