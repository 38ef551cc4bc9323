/**
 * No server-side store (MCP 2026-07-28 §Multi Round-Trip Requests, "the server processing the retry does not
 * need any information beyond what is directly present in the retry request"): a state sealed by one server
 * process opens on the next one started on the same data dir (same master key).
 */
import { expect, test } from "bun:test";
import { createDraftTool } from "../../../src/projects/draft";
import { startTestServer } from "../../helpers";
import { mcpFixture } from "../fixture";
import { accept, GREET } from "./fixtures";
import { statelessCaller } from "./stateless-context";

test("a requestState sealed before a restart is accepted after it", async () => {
  const f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, GREET);
  const before = statelessCaller(f.deps, f.org.slug, "shop");
  const first = await before.call({ name: "greet", arguments: {} });
  before.close();
  const dataDir = f.deps.config.dataDir;
  await f.stop();

  const again = await startTestServer({ dataDir });
  try {
    const after = statelessCaller(again.deps, f.org.slug, "shop");
    const done = await after.call({ name: "greet", arguments: {}, inputResponses: { user_name: accept({ name: "Bob" }) }, requestState: first.requestState });
    after.close();
    expect(done.content).toEqual([{ type: "text", text: "Hello, Bob!" }]);
  } finally {
    await again.stop();
  }
});
