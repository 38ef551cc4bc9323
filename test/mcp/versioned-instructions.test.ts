/**
 * Issue 16 #4: instructions are versioned like tools. A save changes what the draft channel sends at once;
 * production's `initialize` and `server/discover` send the instructions of the version it serves, so a
 * publish (or rollback) is what changes them there.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createDraftTool, setInstructions } from "../../src/projects/draft";
import { publish, rollback } from "../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";
import { call2026 } from "./stateless/support";

let f: McpFixture;
let key: string;

beforeAll(async () => {
  f = await mcpFixture(); // the project starts with "Use the shop tools to answer."
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin); // v1
  key = await f.keyFor("developer");
});
afterAll(() => f.stop());

async function initialized(url: string): Promise<string | undefined> {
  const body = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "h", version: "1" } } };
  return (await (await rpc(url, body, { authorization: `Bearer ${key}` })).json()).result.instructions;
}
async function discovered(url: string): Promise<string | undefined> {
  return (await call2026(url, "server/discover", {}, { bearer: key })).body.result.instructions;
}

describe("instructions follow draft and publish", () => {
  test("a save reaches the draft at once; production keeps the published text until the next publish", async () => {
    await setInstructions(f.deps, f.project.id, "Draft text: try the new flow.");
    expect(await initialized(f.url("draft"))).toBe("Draft text: try the new flow.");
    expect(await discovered(f.url("draft"))).toBe("Draft text: try the new flow.");
    expect(await initialized(f.url())).toBe("Use the shop tools to answer.");
    expect(await discovered(f.url())).toBe("Use the shop tools to answer.");

    const v2 = await publish(f.deps, f.project.id, f.users.admin);
    expect(v2.diff.instructionsChanged).toBe(true);
    expect(await initialized(f.url())).toBe("Draft text: try the new flow.");
    expect(await discovered(f.url())).toBe("Draft text: try the new flow.");
  });

  test("a rollback serves the rolled-back version's instructions; the draft keeps its own", async () => {
    await rollback(f.deps, f.project.id, 1, f.users.admin);
    expect(await initialized(f.url())).toBe("Use the shop tools to answer.");
    expect(await discovered(f.url())).toBe("Use the shop tools to answer.");
    expect(await initialized(f.url("draft"))).toBe("Draft text: try the new flow.");
  });
});
