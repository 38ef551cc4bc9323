import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import type { Principal } from "../../src/auth/principal";
import { SseStream } from "../../src/mcp/sse";
import { storeWorld, type StoreWorld } from "./session-store-fixture";

const key: Principal = { kind: "apikey", userId: "usr_1", apiKeyId: "key_1", role: "developer", scopes: ["project:read", "tools:call"] };
const user: Principal = { kind: "user", userId: "usr_2", grantId: "gnt_1", clientId: "cli_1", sessionId: "ses_1", role: "viewer", scopes: ["project:read"] };

let w: StoreWorld;
beforeEach(async () => {
  w = await storeWorld();
});
afterEach(async () => {
  setSystemTime();
  await w.close();
});

describe("MCP sessions", () => {
  test("an idle session expires; one with an open stream does not", async () => {
    const store = w.store(50);
    const TARGET = w.target;
    const idle = await store.create(key, TARGET, "2025-11-25", null);
    const streaming = await store.create(key, TARGET, "2025-11-25", null);
    store.openStream(streaming, () => new SseStream());
    // Idleness is measured with Date.now(): move the clock past the 50 ms limit instead of waiting.
    setSystemTime(new Date(Date.now() + 80));
    expect(await store.find(idle.id, key, TARGET)).toBeNull();
    expect((await store.find(streaming.id, key, TARGET))?.id).toBe(streaming.id);
  });

  test("a session answers only the credential and channel that created it", async () => {
    const store = w.store();
    const TARGET = w.target;
    const s = await store.create(key, TARGET, "2025-11-25", null);
    expect(await store.find(s.id, { ...key, apiKeyId: "key_2" }, TARGET)).toBeNull();
    expect(await store.find(s.id, key, { ...TARGET, channel: "draft" })).toBeNull();
    expect(await store.find(s.id, key, TARGET)).not.toBeNull();
  });

  test("revoking the grant, the key or the approving sign-in session ends its sessions and streams", async () => {
    const bus = w.deps.bus;
    const store = w.store();
    const TARGET = w.target;
    const byKey = await store.create(key, TARGET, "2025-11-25", null);
    const byGrant = await store.create(user, TARGET, "2025-11-25", null);
    const byLogin = await store.create(user, TARGET, "2025-11-25", null);
    const stream = new SseStream();
    store.openStream(byGrant, () => stream);
    bus.emit("apiKeyRevoked", { apiKeyId: "key_1" });
    expect(await store.find(byKey.id, key, TARGET)).toBeNull();
    bus.emit("grantRevoked", { grantId: "gnt_1" });
    expect(await store.find(byGrant.id, user, TARGET)).toBeNull();
    expect(stream.closed).toBe(true);
    expect(await store.find(byLogin.id, user, TARGET)).toBeNull();
    const again = await store.create(user, TARGET, "2025-11-25", null);
    bus.emit("sessionEnded", { sessionId: "ses_1" });
    expect(await store.find(again.id, user, TARGET)).toBeNull();
  });
});
