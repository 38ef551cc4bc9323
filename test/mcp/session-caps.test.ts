import { afterEach, beforeEach, expect, test } from "bun:test";
import type { Principal } from "../../src/auth/principal";
import { transaction } from "../../src/db/query";
import { MAX_SESSIONS } from "../../src/mcp/sessions";
import type { SseStream } from "../../src/mcp/sse";
import { storeWorld, type StoreWorld } from "./session-store-fixture";

const anon: Principal = { kind: "anonymous", ip: "203.0.113.9", scopes: ["project:read", "tools:call"] };
const fakeStream = (): SseStream => {
  const stream = { closed: false, close: () => void (stream.closed = true) };
  return stream as unknown as SseStream;
};

let w: StoreWorld;
beforeEach(async () => {
  w = await storeWorld();
});
afterEach(() => w.close());

test("the session cap holds even when every session has a stream (issue 11 #16): the least recently used one ends", async () => {
  const TARGET = w.target;
  const store = w.store(60 * 60_000, MAX_SESSIONS + 1);
  const first = await store.create(anon, TARGET, "2025-11-25", null);
  const firstStream = store.openStream(first, fakeStream)!;
  w.deps.db.$client.run("UPDATE mcp_sessions SET last_seen_at = 0 WHERE id = ?", [first.id]);
  // One SQLite transaction for the 20,000 inserts (each would otherwise commit on its own).
  await transaction(w.deps.db, async () => {
    for (let i = 1; i < MAX_SESSIONS; i++) store.openStream(await store.create(anon, TARGET, "2025-11-25", null), fakeStream);
  });
  expect(await store.count()).toBe(MAX_SESSIONS);
  await store.create(anon, TARGET, "2025-11-25", null);
  expect(await store.count()).toBe(MAX_SESSIONS);
  expect(await store.find(first.id, anon, TARGET)).toBeNull();
  expect((firstStream as unknown as { closed: boolean }).closed).toBe(true);
}, 60_000);

test("a new GET stream replaces the session's open one; the project cap refuses one more", async () => {
  const TARGET = w.target;
  const store = w.store(60_000, 2);
  const a = await store.create(anon, TARGET, "2025-11-25", null);
  const first = store.openStream(a, fakeStream)!;
  const second = store.openStream(a, fakeStream)!;
  expect((first as unknown as { closed: boolean }).closed).toBe(true);
  expect(store.streamsOfSession(a.id).has(second)).toBe(true);
  expect(store.openStream(await store.create(anon, TARGET, "2025-11-25", null), fakeStream)).not.toBeNull();
  expect(store.openStream(await store.create(anon, TARGET, "2025-11-25", null), fakeStream)).toBeNull();
  // Another project is not affected.
  expect(store.openStream(await store.create(anon, { ...TARGET, projectId: w.otherProjectId }, "2025-11-25", null), fakeStream)).not.toBeNull();
  expect(store.streamsOf(TARGET.projectId)).toBe(2);
});
