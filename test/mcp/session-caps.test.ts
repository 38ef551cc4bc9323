import { expect, test } from "bun:test";
import type { Principal } from "../../src/auth/principal";
import { EventBus } from "../../src/lib/events";
import { MAX_SESSIONS, SessionStore } from "../../src/mcp/sessions";
import type { SseStream } from "../../src/mcp/sse";

const TARGET = { orgId: "org_1", projectId: "prj_1", channel: "production" as const };
const anon: Principal = { kind: "anonymous", ip: "203.0.113.9", scopes: ["project:read", "tools:call"] };
const fakeStream = (): SseStream => {
  const stream = { closed: false, close: () => void (stream.closed = true) };
  return stream as unknown as SseStream;
};

test("the session cap holds even when every session has a stream (issue 11 #16): the least recently used one ends", () => {
  const store = new SessionStore(new EventBus(), 60_000, MAX_SESSIONS + 1);
  const first = store.create(anon, TARGET, "2025-11-25", null);
  const firstStream = store.openStream(first, fakeStream)!;
  first.lastSeen = 0;
  for (let i = 1; i < MAX_SESSIONS; i++) store.create(anon, TARGET, "2025-11-25", null).streams.add(fakeStream());
  expect(store.size).toBe(MAX_SESSIONS);
  store.create(anon, TARGET, "2025-11-25", null);
  expect(store.size).toBe(MAX_SESSIONS);
  expect(store.find(first.id, anon, TARGET)).toBeNull();
  expect((firstStream as unknown as { closed: boolean }).closed).toBe(true);
  store.close();
});

test("a new GET stream replaces the session's open one; the project cap refuses one more", () => {
  const store = new SessionStore(new EventBus(), 60_000, 2);
  const a = store.create(anon, TARGET, "2025-11-25", null);
  const first = store.openStream(a, fakeStream)!;
  const second = store.openStream(a, fakeStream)!;
  expect((first as unknown as { closed: boolean }).closed).toBe(true);
  expect(a.streams.has(second)).toBe(true);
  expect(store.openStream(store.create(anon, TARGET, "2025-11-25", null), fakeStream)).not.toBeNull();
  expect(store.openStream(store.create(anon, TARGET, "2025-11-25", null), fakeStream)).toBeNull();
  // Another project is not affected.
  expect(store.openStream(store.create(anon, { ...TARGET, projectId: "prj_2" }, "2025-11-25", null), fakeStream)).not.toBeNull();
  expect(store.streamsOf("prj_1")).toBe(2);
  store.close();
});
