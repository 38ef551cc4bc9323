import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ToolDefinitionInput } from "../../src/projects/manifest";
import { text, toolsHarness, type ToolsHarness } from "./fixtures";

let h: ToolsHarness;
let endpoint: ReturnType<typeof Bun.serve>;
const received: Array<{ path: string; method: string; headers: Record<string, string>; body: unknown }> = [];

beforeAll(async () => {
  h = await toolsHarness();
  endpoint = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(r) {
      const path = new URL(r.url).pathname;
      received.push({ path, method: r.method, headers: Object.fromEntries(r.headers), body: await r.json().catch(() => null) });
      switch (path) {
        case "/lookup":
          return Response.json({ city: "Lyon", temp: 21 });
        case "/mcp-result":
          return Response.json({ content: [{ type: "text", text: "from upstream" }], isError: false });
        case "/text":
          return new Response("just words", { headers: { "content-type": "text/plain" } });
        case "/fail":
          return new Response("upstream exploded", { status: 502 });
        case "/slow":
          return Bun.sleep(2000).then(() => Response.json({}));
        case "/huge":
          return new Response(JSON.stringify({ a: "x".repeat(5 * 1024 * 1024) }), { headers: { "content-type": "application/json" } });
        case "/moved":
          return new Response(null, { status: 307, headers: { location: "/lookup" } });
        case "/echo-secret":
          return Response.json({ got: r.headers.get("x-api-key") });
        default:
          return new Response("not found", { status: 404 });
      }
    },
  });
  await h.deps.tools.secrets.setSecret(h.projectId, "lookup", "API_KEY", "key-0123456789", "production");
});
afterAll(async () => {
  void endpoint.stop(true);
  await h.close();
});

function httpTool(path: string, extra: Partial<Extract<ToolDefinitionInput, { kind: "http" }>> = {}): ToolDefinitionInput {
  return { name: "lookup", kind: "http", url: `http://127.0.0.1:${endpoint.port}${path}`, ...extra };
}

describe("http tools", () => {
  test("POSTs the input as JSON with headers templated from secrets; JSON answer → structuredContent + text", async () => {
    const out = await h.call(httpTool("/lookup", { secrets: ["API_KEY"], headers: { Authorization: "Bearer {{secrets.API_KEY}}", "X-Client": "portico" } }), { city: "Lyon" });
    expect(out.errorClass).toBeUndefined();
    expect(out.result.structuredContent).toEqual({ city: "Lyon", temp: 21 });
    expect(JSON.parse(text(out))).toEqual({ city: "Lyon", temp: 21 });
    const req = received.at(-1)!;
    expect(req).toMatchObject({ path: "/lookup", method: "POST", body: { city: "Lyon" } });
    expect(req.headers.authorization).toBe("Bearer key-0123456789");
    expect(req.headers["x-client"]).toBe("portico");
    expect(req.headers["content-type"]).toBe("application/json");
  });

  test("an upstream full MCP result passes through; a non-JSON answer becomes text", async () => {
    expect((await h.call(httpTool("/mcp-result"))).result).toEqual({ content: [{ type: "text", text: "from upstream" }], isError: false });
    expect((await h.call(httpTool("/text"))).result).toEqual({ content: [{ type: "text", text: "just words" }] });
  });

  test("a secret value echoed back is redacted from the result", async () => {
    const out = await h.call(httpTool("/echo-secret", { secrets: ["API_KEY"], headers: { "X-Api-Key": "{{secrets.API_KEY}}" } }));
    expect(out.result.structuredContent).toEqual({ got: "[redacted]" });
  });

  test("a non-2xx answer is an isError result of class runtime", async () => {
    const out = await h.call(httpTool("/fail"));
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toBe("the tool's endpoint answered HTTP 502");
    expect(out.result.isError).toBe(true);
    expect(text(out)).toBe("the tool's endpoint answered HTTP 502: upstream exploded");
  });

  test("timeout, size cap and redirects are runtime errors", async () => {
    const slow = await h.call(httpTool("/slow", { timeoutMs: 150 }));
    expect(slow.errorClass).toBe("runtime");
    expect(slow.error).toMatch(/no complete response within 150 ms/);
    const huge = await h.call(httpTool("/huge"));
    expect(huge.error).toMatch(/larger than 5242880 bytes/);
    const moved = await h.call(httpTool("/moved"));
    expect(moved.error).toMatch(/redirects are not followed/);
  });

  test("a header naming a secret that is not set is a configuration error, and nothing is sent", async () => {
    const before = received.length;
    const out = await h.call(httpTool("/lookup", { headers: { Authorization: "Bearer {{secrets.NOPE}}" } }));
    expect(out.errorClass).toBe("configuration");
    expect(out.error).toMatch(/secret NOPE, which is not set/);
    expect(received.length).toBe(before);
  });

  test("private addresses and plain http are refused outside the test-only loopback mode", async () => {
    const priv = await h.call({ name: "p", kind: "http", url: "https://10.0.0.1/x" });
    expect(priv.errorClass).toBe("runtime");
    expect(priv.error).toMatch(/private or reserved/);
    const strict = await toolsHarness({ allowLoopbackFetch: false });
    try {
      const out = await strict.call(httpTool("/lookup"));
      expect(out.errorClass).toBe("runtime");
      expect(out.error).toMatch(/use https|only https/);
    } finally {
      await strict.close();
    }
  });
});
