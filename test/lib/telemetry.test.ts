/**
 * OpenTelemetry export (issue 18): with an OTLP endpoint configured, one tools/call over real HTTP is
 * exported to a minimal OTLP/HTTP (JSON) receiver on loopback as a request span continuing the caller's
 * `traceparent` (HTTP header, or `_meta` on MCP 2026-07-28), with the grant check, sandbox run, outbound
 * fetch and audit enqueue as children; no credential, input or output text in any attribute. Without the
 * endpoint nothing is exported and `deps.telemetry` is null.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { withDeps } from "../../src/cli/command";
import { createDraftTool } from "../../src/projects/draft";
import { testConfig } from "../helpers";
import { mcpFixture, rpc, type McpFixture } from "../mcp/fixture";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number };
}

/** A minimal OTLP/HTTP receiver: keeps every JSON body POSTed to /v1/traces and /v1/metrics. */
function receiver() {
  const traces: unknown[] = [];
  const metrics: unknown[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method !== "POST") return new Response(null, { status: 405 });
      expect(request.headers.get("content-type")).toContain("application/json");
      const body = await request.json();
      if (path === "/v1/traces") traces.push(body);
      else if (path === "/v1/metrics") metrics.push(body);
      else return new Response(null, { status: 404 });
      return Response.json({});
    },
  });
  const spans = (): OtlpSpan[] =>
    traces.flatMap((b) => (b as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
  return { url: `http://127.0.0.1:${server.port}`, traces, metrics, spans, stop: () => server.stop(true) };
}

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : Object.values(v)[0];
};

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const INPUT_MARKER = "INPUT-MARKER-d41d8cd9";
const OUTPUT_MARKER = "OUTPUT-MARKER-98f00b20";

/** A script tool that fetches from a loopback upstream (the outbound fetch span) and echoes its input. */
const LOOKUP = (upstream: string) => ({
  name: "lookup",
  kind: "script",
  description: "Fetches an item",
  allowedDomains: ["127.0.0.1"],
  inputSchema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
  script: `export default async (input, env) => {
    const r = await fetch("${upstream}/item?q=" + encodeURIComponent(input.q));
    return { content: [{ type: "text", text: (await r.text()) + input.q }] };
  }`,
});

let f: McpFixture | undefined;
let otlp: ReturnType<typeof receiver> | undefined;
let upstream: ReturnType<typeof Bun.serve> | undefined;
afterEach(async () => {
  await f?.stop();
  otlp?.stop();
  upstream?.stop(true);
  f = otlp = upstream = undefined;
});

async function world(overrides: Record<string, string | boolean> = {}) {
  upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(OUTPUT_MARKER) });
  f = await mcpFixture({ allowLoopbackFetch: true, ...overrides });
  await createDraftTool(f.deps, f.project.id, LOOKUP(`http://127.0.0.1:${upstream.port}`));
  return { f, key: await f.keyFor("developer") };
}

describe("OpenTelemetry export over OTLP/HTTP", () => {
  test("one tools/call: a request span continuing the incoming traceparent header, with grant check, sandbox run, fetch and audit enqueue as children; no secrets or payloads", async () => {
    otlp = receiver();
    const { f, key } = await world({ otlpEndpoint: otlp.url });
    expect(f.deps.telemetry).not.toBeNull();
    const res = await rpc(f.url("draft"), { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "lookup", arguments: { q: INPUT_MARKER } } }, {
      authorization: `Bearer ${key}`, "mcp-protocol-version": "2025-06-18", traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(OUTPUT_MARKER);
    await f.deps.telemetry!.flush();

    const spans = otlp.spans();
    const call = spans.find((s) => s.name === "tools/call lookup")!;
    expect(call).toBeDefined();
    expect(call.traceId).toBe(TRACE_ID);
    expect(call.parentSpanId).toBe(CALLER_SPAN);
    expect(call.kind).toBe(2); // SERVER (OTLP SpanKind enum)
    expect(attr(call, "mcp.method.name")).toBe("tools/call");
    expect(attr(call, "gen_ai.tool.name")).toBe("lookup");
    expect(attr(call, "gen_ai.operation.name")).toBe("execute_tool");
    expect(attr(call, "jsonrpc.request.id")).toBe("7");
    expect(attr(call, "mcp.protocol.version")).toBe("2025-06-18");

    const child = (name: string) => {
      const s = spans.find((x) => x.name === name);
      expect(s, name).toBeDefined();
      expect(s!.traceId).toBe(TRACE_ID);
      expect(s!.parentSpanId, name).toBe(call.spanId);
      return s!;
    };
    expect(attr(child("portico.grant_check"), "portico.principal.kind")).toBe("apikey");
    child("portico.sandbox_run");
    const fetched = child("GET");
    expect(attr(fetched, "server.address")).toBe("127.0.0.1");
    expect(attr(fetched, "http.response.status_code")).toBe(200);
    child("portico.audit_enqueue");

    // Ids, names, statuses and durations only: the API key, the input and the output never leave.
    const exported = JSON.stringify(otlp.traces);
    for (const secret of [key, key.slice(-12), INPUT_MARKER, OUTPUT_MARKER, "q="]) expect(exported).not.toContain(secret);
  });

  test("a 2026-07-28 request's _meta.traceparent continues the caller's trace", async () => {
    otlp = receiver();
    const { f, key } = await world({ otlpEndpoint: otlp.url });
    const traceparent = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
    const res = await rpc(f.url("draft"), {
      jsonrpc: "2.0", id: 1, method: "tools/call",
      params: {
        name: "lookup", arguments: { q: "x" },
        _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, traceparent },
      },
    }, { authorization: `Bearer ${key}`, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "lookup" });
    expect(res.status).toBe(200);
    await f.deps.telemetry!.flush();
    const call = otlp.spans().find((s) => s.name === "tools/call lookup")!;
    expect(call.traceId).toBe(TRACE_ID);
    expect(call.parentSpanId).toBe(CALLER_SPAN);
    expect(attr(call, "mcp.protocol.version")).toBe("2026-07-28");
  });

  test("the /metrics series are exported too", async () => {
    otlp = receiver();
    const { f, key } = await world({ otlpEndpoint: otlp.url });
    await rpc(f.url("draft"), { jsonrpc: "2.0", id: 1, method: "tools/list" }, { authorization: `Bearer ${key}`, "mcp-protocol-version": "2025-06-18" });
    await f.deps.telemetry!.flush();
    const names = JSON.stringify(otlp.metrics);
    for (const name of ["portico_mcp_requests_total", "portico_mcp_request_seconds_total", "portico_audit_queue_rows", "portico_mcp_sessions"]) expect(names).toContain(name);
  });

  test("graceful shutdown flushes the spans still queued", async () => {
    otlp = receiver();
    const w = await world({ otlpEndpoint: otlp.url });
    await rpc(w.f.url("draft"), { jsonrpc: "2.0", id: 1, method: "tools/list" }, { authorization: `Bearer ${w.key}`, "mcp-protocol-version": "2025-06-18" });
    expect(otlp.spans()).toEqual([]); // the batch processor has not sent it yet
    await w.f.stop();
    f = undefined;
    expect(otlp.spans().map((s) => s.name)).toContain("tools/list");
  });

  test("one-shot CLI commands export nothing even with an endpoint set (they serve no requests)", async () => {
    otlp = receiver();
    const config = testConfig({ otlpEndpoint: otlp.url });
    const telemetry = await withDeps({ config } as Parameters<typeof withDeps>[0], (deps) => deps.telemetry);
    expect(telemetry).toBeNull();
    expect(otlp.traces.length + otlp.metrics.length).toBe(0);
  });

  test("without an endpoint nothing is loaded or exported", async () => {
    otlp = receiver();
    const { f, key } = await world();
    expect(f.deps.telemetry).toBeNull();
    const res = await rpc(f.url("draft"), { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "lookup", arguments: { q: "x" } } }, {
      authorization: `Bearer ${key}`, "mcp-protocol-version": "2025-06-18", traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
    });
    expect(res.status).toBe(200);
    await Bun.sleep(50);
    expect(otlp.traces).toEqual([]);
  });
});
