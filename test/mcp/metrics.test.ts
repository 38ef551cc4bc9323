import { afterEach, describe, expect, test } from "bun:test";
import { mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

describe("/metrics", () => {
  test("loopback reads MCP request counters; a proxied request needs the metrics token", async () => {
    f = await mcpFixture({ trustedProxy: true, metricsToken: "m-token-123" });
    await rpc(f.url(), { jsonrpc: "2.0", id: 1, method: "ping" }, { authorization: `Bearer ${await f.keyFor("viewer")}` });
    const local = await fetch(`${f.server.url}/metrics`);
    expect(local.status).toBe(200);
    const text = await local.text();
    expect(text).toContain('portico_mcp_requests_total{channel="production",method="ping",status="ok"} 1');
    expect(text).toContain("portico_mcp_sessions");
    const proxied = await fetch(`${f.server.url}/metrics`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(proxied.status).toBe(403);
    const withToken = await fetch(`${f.server.url}/metrics`, { headers: { "x-forwarded-for": "203.0.113.9", authorization: "Bearer m-token-123" } });
    expect(withToken.status).toBe(200);
  });
});
