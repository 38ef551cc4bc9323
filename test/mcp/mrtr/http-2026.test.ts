/**
 * Tools that ask over real HTTP on MCP 2026-07-28 (§Multi Round-Trip Requests): raw requests with the
 * revision's headers and `_meta`, the SDK v2 client answering through its elicitation handler (auto-fulfil),
 * the audit row of an input_required call, and a restart between the question and the answer.
 */
import { afterEach, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createDraftTool } from "../../../src/projects/draft";
import { startTestServer } from "../../helpers";
import { mcpFixture, type McpFixture } from "../fixture";
import { accept, GREET, TWO_STEPS } from "./fixtures";

let f: McpFixture;
afterEach(async () => {
  await f?.stop();
});

const META = (caps: Record<string, unknown>) => ({
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": caps,
  "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1.0.0" },
});

let nextId = 1;
async function call(url: string, key: string, params: Record<string, unknown>, caps: Record<string, unknown> = { elicitation: {} }) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${key}`,
      "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": String(params.name),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method: "tools/call", params: { ...params, _meta: META(caps) } }),
  });
  return { status: res.status, body: (await res.json()) as { result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } } };
}

test("raw 2026 requests: input_required, then the retry with inputResponses and requestState completes; the audit row holds the question", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, GREET);
  const key = await f.keyFor("developer");
  const first = await call(f.url("draft"), key, { name: "greet", arguments: {} });
  expect(first.status).toBe(200);
  expect(first.body.result).toMatchObject({ resultType: "input_required", inputRequests: { user_name: { method: "elicitation/create" } } });
  const done = await call(f.url("draft"), key, { name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "Ada" }) }, requestState: first.body.result!.requestState });
  expect(done.body.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Hello, Ada!" }] });

  const missing = await call(f.url("draft"), key, { name: "greet", arguments: {} }, { sampling: {} });
  expect(missing.status).toBe(400);
  expect(missing.body.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { elicitation: {} } } });

  await f.deps.audit.flush();
  const rows = f.deps.db.$client.query<{ status: string; output: string | null }, []>("SELECT status, output FROM audit_events WHERE tool = 'greet' ORDER BY time").all();
  expect(rows[0]!.status).toBe("ok");
  expect(rows[0]!.output).toContain("What is your name?");
});

test("attack: a tampered requestState over HTTP is -32602 and runs nothing", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, GREET);
  const key = await f.keyFor("developer");
  const first = await call(f.url("draft"), key, { name: "greet", arguments: {} });
  const bad = await call(f.url("draft"), key, { name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "x" }) }, requestState: `${first.body.result!.requestState}-TAMPERED` });
  expect(bad.body.error).toMatchObject({ code: -32602, message: expect.stringContaining("requestState is not valid") });
});

test("the SDK v2 client (negotiating 2026-07-28) answers through its elicitation handler and gets the result", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, TWO_STEPS);
  const client = new Client({ name: "v2-host", version: "1.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: "auto" } });
  const asked: string[] = [];
  client.setRequestHandler("elicitation/create", async (req) => {
    const message = (req.params as { message: string }).message;
    asked.push(message);
    const content: Record<string, string> = message.startsWith("Step 1") ? { name: "Grace" } : { color: "teal" };
    return { action: "accept" as const, content };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(f.url("draft")), { requestInit: { headers: { Authorization: `Bearer ${await f.keyFor("developer")}` } } }));
  const result = await client.callTool({ name: "two_steps", arguments: {} });
  expect(result.content).toEqual([{ type: "text", text: "Grace likes teal" }]);
  expect(asked).toEqual(["Step 1: What is your name?", "Step 2: What is your favorite color?"]);
  await client.close();
  // Three stateless requests (no session): two input_required rounds, then the result.
  await f.deps.audit.flush();
  const rows = f.deps.db.$client.query<{ session_id: string | null; output: string }, []>("SELECT session_id, output FROM audit_events WHERE tool = 'two_steps' ORDER BY time").all();
  expect(rows.map((r) => [r.session_id, r.output.includes('"input_required"')])).toEqual([[null, true], [null, true], [null, false]]);
});

test("a restart between the question and the answer: the new process accepts the state", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, GREET);
  const key = await f.keyFor("developer");
  const first = await call(f.url("draft"), key, { name: "greet", arguments: {} });
  const dataDir = f.deps.config.dataDir;
  const path = new URL(f.url("draft")).pathname;
  await f.stop();
  const again = await startTestServer({ dataDir });
  try {
    const done = await call(again.url + path, key, { name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "Lin" }) }, requestState: first.body.result!.requestState });
    expect(done.body.result).toMatchObject({ content: [{ type: "text", text: "Hello, Lin!" }] });
  } finally {
    await again.stop();
  }
});
