/**
 * Issue 15: 2025 sessions are rows every instance on the database shares. Two stores on one data dir, each
 * with its own connection and change feed, stand for two `portico serve` processes (the e2e test runs real ones).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import type { Principal } from "../../src/auth/principal";
import { SseStream } from "../../src/mcp/sse";
import { storeWorld, type StoreWorld } from "./session-store-fixture";

const key: Principal = { kind: "apikey", userId: "usr_1", apiKeyId: "key_1", role: "developer", scopes: ["project:read", "tools:call"] };

let w: StoreWorld;
beforeEach(async () => {
  w = await storeWorld();
});
afterEach(() => w.close());

test("a session created on one instance is found on another, with the log level either one set", async () => {
  const a = w.store();
  const b = await w.otherInstance();
  const s = await a.create(key, w.target, "2025-06-18", { name: "host", version: "1" }, { elicitation: {} });
  const onB = (await b.find(s.id, key, w.target))!;
  expect(onB).toMatchObject({ id: s.id, protocolVersion: "2025-06-18", clientInfo: { name: "host", version: "1" }, clientCapabilities: { elicitation: {} }, logLevel: "info" });
  await b.setLogLevel(onB, "error");
  expect((await a.find(s.id, key, w.target))?.logLevel).toBe("error");
  expect(await b.find(s.id, { ...key, apiKeyId: "key_2" }, w.target)).toBeNull();
});

test("a lookup costs no write: repeated finds leave the database untouched until the touch interval passes", async () => {
  const a = w.store();
  const s = await a.create(key, w.target, "2025-11-25", null);
  const before = w.deps.changes.version();
  for (let i = 0; i < 100; i++) expect((await a.find(s.id, key, w.target))?.id).toBe(s.id);
  expect(w.deps.changes.version()).toBe(before);
});

test("a session ended on one instance answers 404 on the other at once and closes the stream the other holds", async () => {
  const a = w.store();
  const b = await w.otherInstance();
  const s = await a.create(key, w.target, "2025-11-25", null);
  const stream = new SseStream();
  expect(b.openStream((await b.find(s.id, key, w.target))!, () => stream)).not.toBeNull();
  await a.end(s.id);
  expect(await b.find(s.id, key, w.target)).toBeNull();
  // The stream is a connection B holds: B learns of the deletion from its change feed's poll.
  const deadline = Date.now() + 3000;
  while (!stream.closed && Date.now() < deadline) await Bun.sleep(50);
  expect(stream.closed).toBe(true);
  expect(b.streamCount).toBe(0);
});
