import { expect, test } from "bun:test";
import { updateProject } from "../../src/projects/projects";
import { publish } from "../../src/projects/publish";
import { req } from "../helpers";
import { obtainTokens, worldPerTest } from "../oauth/fixtures";

const ctx = worldPerTest();

test("a token with project:read gets the instructions in initialize", async () => {
  await updateProject(ctx.t.deps.db, ctx.w.shop.id, { instructions: "Use the shop tools." });
  // Production serves the published version's instructions (issue 16 #4).
  await publish(ctx.t.deps, ctx.w.shop.id, null, undefined, { confirmMissingSecrets: true });
  const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
  expect(tokens.scope.split(" ")).toContain("project:read");
  const res = await req(ctx.t.app, "/acme/shop", {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "h", version: "1" } } }),
  });
  expect((await res.json()).result.instructions).toBe("Use the shop tools.");
});
