/**
 * A 2025 GET notification stream ends when its credential is revoked by another process on the same
 * data dir (the CLI): the change feed, not the in-process event bus, carries that revocation.
 */
import { afterEach, expect, test } from "bun:test";
import { createApiKey, revokeApiKey } from "../../src/apikeys/keys";
import { openDb } from "../../src/db/client";
import { systemClock } from "../../src/lib/clock";
import { EventBus } from "../../src/lib/events";
import { mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

test("a GET stream whose API key the CLI revokes ends without waiting for the next request", async () => {
  f = await mcpFixture();
  const { id, key } = await createApiKey(f.deps, { projectId: f.project.id, userId: f.users.developer, name: "ci" });
  const auth = { authorization: `Bearer ${key}` };
  const init = await rpc(f.url(), { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } } }, auth);
  const sid = init.headers.get("mcp-session-id")!;
  const stream = await fetch(f.url(), { headers: { ...auth, accept: "text/event-stream", "mcp-session-id": sid } });
  const reader = stream.body!.getReader();
  await reader.read();
  const cli = { db: openDb(f.deps.config.dataDir), bus: new EventBus(), clock: systemClock };
  await revokeApiKey(cli, f.project.id, id);
  cli.db.$client.close();
  const drain = async () => {
    for (;;) if ((await reader.read()).done) return true;
  };
  expect(await Promise.race([drain(), Bun.sleep(3000).then(() => "still open")])).toBe(true);
});
