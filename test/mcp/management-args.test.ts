/**
 * Management tools validate their arguments against their input schemas (compiled on first use, not at
 * start): a bad argument is -32602 naming the field, a good call runs.
 */
import { afterEach, expect, test } from "bun:test";
import { getProjectById } from "../../src/projects/projects";
import { mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const call = (args: unknown) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "portico_set_instructions", arguments: args } });

test("a management tool refuses arguments its schema does not allow, naming the field, and runs with good ones", async () => {
  f = await mcpFixture();
  const auth = { authorization: `Bearer ${await f.keyFor("developer")}` };
  const bad = await (await rpc(f.url("draft"), call({ instructions: 42 }), auth)).json();
  expect(bad.error.code).toBe(-32602);
  expect(bad.error.message).toContain('Invalid arguments for tool "portico_set_instructions": instructions');
  const good = await (await rpc(f.url("draft"), call({ instructions: "Answer in French." }), auth)).json();
  expect(good.result.isError).toBeFalsy();
  expect((await getProjectById(f.deps.db, f.project.id)).instructions).toBe("Answer in French.");
});
