/**
 * Tool calls end to end through the SDK client (interactive and script tools, progress and logging
 * streamed over SSE), and the audit log they leave: exactly one row per request with the right fields,
 * and no secret value or credential anywhere in it.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { queryAudit } from "../../src/audit/query";
import { createDraftTool } from "../../src/projects/draft";
import { updateProject } from "../../src/projects/projects";
import { publish } from "../../src/projects/publish";
import { connectClient, ECHO_TOOL, mcpFixture, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());
setDefaultTimeout(20_000);

const SECRET = "sk-live-Very-Secret-Value-0042";
const SECRETIVE = {
  name: "secretive",
  kind: "script",
  description: "Uses a secret",
  inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  outputSchema: { type: "object", properties: { echoed: { type: "string" }, key: { type: "string" } }, required: ["echoed"] },
  secrets: ["API_KEY"],
  script: `export default async (input, env) => {
    env.log("info", "calling with " + env.secrets.API_KEY);
    env.progress(1, 2, "half way");
    return { echoed: input.text, key: env.secrets.API_KEY };
  }`,
};

describe("tool calls and their audit rows", () => {
  test("every request leaves exactly one audit row with the right fields and no secret", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await createDraftTool(f.deps, f.project.id, SECRETIVE);
    await f.deps.tools.secrets.setSecret(f.project.id, "secretive", "API_KEY", SECRET, "draft"); // a draft call sees only draft values (issue 11 #1)
    const key = await f.keyFor("developer");
    const client = await connectClient(f.url("draft"), key);
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
    const progress: number[] = [];

    await client.listTools();
    const echo = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(echo.structuredContent).toEqual({ text: "hi" });
    const secretive = await client.callTool({ name: "secretive", arguments: { text: "yo" } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(secretive.isError).toBeFalsy();
    expect(JSON.stringify(secretive)).not.toContain(SECRET);
    expect(progress).toEqual([1]);
    expect(logs.join()).toContain("calling with [redacted]");
    await expect(client.callTool({ name: "echo", arguments: { text: 7 } })).rejects.toThrow(/Invalid arguments for tool "echo": text: must be string/);
    await expect(client.callTool({ name: "echo", arguments: {} })).rejects.toThrow(/missing required field "text"/);
    await expect(client.callTool({ name: "ghost", arguments: {} })).rejects.toThrow(/Unknown tool: "ghost"/);
    const sessionId = (client.transport as { sessionId?: string }).sessionId;
    await client.close();
    await f.deps.audit.flush();

    const rows = (await queryAudit(f.deps.db, f.project.id, { limit: 100 })).events.reverse();
    expect(rows.map((r) => [r.method, r.tool, r.status])).toEqual([
      ["initialize", null, "ok"],
      ["tools/list", null, "ok"],
      ["tools/call", "echo", "ok"],
      ["tools/call", "secretive", "ok"],
      ["tools/call", "echo", "error"],
      ["tools/call", "echo", "error"],
      ["tools/call", "ghost", "error"],
    ]);
    const echoRow = rows[2]!;
    expect(echoRow).toMatchObject({
      channel: "draft", principal: "apikey", userId: f.users.developer, apiKeyId: expect.stringMatching(/^key_/), grantId: null,
      sessionId, version: null, input: '{"text":"hi"}', errorClass: null, host: "test-host 1.0.0", ip: "127.0.0.1",
    });
    expect(JSON.parse(echoRow.output!)).toMatchObject({ structuredContent: { text: "hi" } });
    expect(rows[3]!.logs).toContain("calling with [redacted]");
    expect(rows[4]).toMatchObject({ errorClass: "protocol", error: expect.stringContaining("must be string") });
    const everything = JSON.stringify(f.deps.db.$client.query("SELECT * FROM audit_events").all());
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(key);
  });

  test("production rows carry the published version; a project that stores no payloads keeps none", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await publish(f.deps, f.project.id, f.users.admin);
    await updateProject(f.deps.db, f.project.id, { storePayloads: false });
    const client = await connectClient(f.url(), await f.keyFor("viewer"));
    await client.callTool({ name: "echo", arguments: { text: "private" } });
    await client.close();
    await f.deps.audit.flush();
    const [row] = (await queryAudit(f.deps.db, f.project.id, { tool: "echo" })).events;
    expect(row).toMatchObject({ version: 1, input: null, output: null, status: "ok", channel: "production" });
  });
});

test("notifications/cancelled stops a running call", async () => {
  f = await mcpFixture();
  const script = 'export default (input, env) => { env.log("info", "spinning"); while (true) {} }';
  await createDraftTool(f.deps, f.project.id, { name: "spin", kind: "script", description: "Never ends", timeoutMs: 20_000, script });
  const client = await connectClient(f.url("draft"), await f.keyFor("developer"));
  const controller = new AbortController();
  // Cancel once the handler is running (its log line arrives), not while the sandbox is still starting.
  client.setNotificationHandler(LoggingMessageNotificationSchema, () => controller.abort("user gave up"));
  const call = client.callTool({ name: "spin", arguments: {} }, undefined, { signal: controller.signal });
  await expect(call).rejects.toThrow();
  await client.close();
  let rows = (await queryAudit(f.deps.db, f.project.id, { tool: "spin" })).events;
  for (let i = 0; i < 100 && rows.length === 0; i++) {
    await Bun.sleep(50);
    await f.deps.audit.flush();
    rows = (await queryAudit(f.deps.db, f.project.id, { tool: "spin" })).events;
  }
  expect(rows[0]?.durationMs).toBeLessThan(5_000);
});
