/**
 * The same script API for 2025 sessions (MCP 2025-11-25 §Elicitation, §Sampling): the question goes to the
 * client as a request on the call's SSE stream, the SDK client answers in its own POST, and the script runs
 * again with the answer. A client that cannot answer gets a tool error saying so.
 */
import { afterEach, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, ElicitRequestSchema, type ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { createDraftTool } from "../../../src/projects/draft";
import { mcpFixture, type McpFixture } from "../fixture";
import { GREET, TWO_STEPS } from "./fixtures";

let f: McpFixture;
afterEach(async () => {
  await f?.stop();
});

async function client(capabilities: ClientCapabilities): Promise<Client> {
  const c = new Client({ name: "asking-host", version: "1.0.0" }, { capabilities });
  await c.connect(new StreamableHTTPClientTransport(new URL(f.url("draft")), { requestInit: { headers: { Authorization: `Bearer ${await f.keyFor("developer")}` } } }));
  return c;
}

test("an SDK client with an elicitation handler answers the script's questions and gets the result", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, TWO_STEPS);
  const c = await client({ elicitation: {} });
  const asked: string[] = [];
  c.setRequestHandler(ElicitRequestSchema, async (req) => {
    const message = (req.params as { message: string }).message;
    asked.push(message);
    return { action: "accept", content: message.startsWith("Step 1") ? { name: "Alice" } : { color: "green" } };
  });
  const result = await c.callTool({ name: "two_steps", arguments: {} });
  expect(result.content).toEqual([{ type: "text", text: "Alice likes green" }]);
  expect(result.isError).toBeUndefined();
  // Round 1 asks step 1; round 2 (a fresh run with that answer) asks step 2; round 3 completes.
  expect(asked).toEqual(["Step 1: What is your name?", "Step 2: What is your favorite color?"]);
  await c.close();
});

test("a declined elicitation reaches the script as such", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, GREET);
  const c = await client({ elicitation: {} });
  c.setRequestHandler(ElicitRequestSchema, async () => ({ action: "decline" }));
  expect((await c.callTool({ name: "greet", arguments: {} })).content).toEqual([{ type: "text", text: "No name given" }]);
  await c.close();
});

test("sampling goes the same way", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, {
        name: "ask_llm",
        kind: "script",
        description: "Samples",
        script: `export default async (input, env) => "LLM response: " + (await env.sample({ messages: [{ role: "user", content: { type: "text", text: "Hi" } }], maxTokens: 100 })).content.text`,
      });
  const c = await client({ sampling: {} });
  c.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: "assistant", content: { type: "text", text: "Hello" }, model: "m", stopReason: "endTurn" }));
  expect((await c.callTool({ name: "ask_llm", arguments: {} })).content).toEqual([{ type: "text", text: "LLM response: Hello" }]);
  await c.close();
});

test("a client that did not declare elicitation gets a tool error that says it cannot answer", async () => {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, GREET);
  const c = await client({});
  const result = await c.callTool({ name: "greet", arguments: {} });
  expect(result.isError).toBe(true);
  expect((result.content as Array<{ text: string }>)[0]!.text).toContain("did not declare the elicitation capability");
  await c.close();
});
