import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import type { Principal } from "../../src/auth/principal";
import { EventBus } from "../../src/lib/events";
import { SessionStore } from "../../src/mcp/sessions";
import { SseStream } from "../../src/mcp/sse";

const TARGET = { orgId: "org_1", projectId: "prj_1", channel: "production" as const };
const key: Principal = { kind: "apikey", userId: "usr_1", apiKeyId: "key_1", role: "developer", scopes: ["project:read", "tools:call"] };
const user: Principal = { kind: "user", userId: "usr_2", grantId: "gnt_1", clientId: "cli_1", sessionId: "ses_1", role: "viewer", scopes: ["project:read"] };

afterEach(() => setSystemTime());

describe("MCP sessions", () => {
  test("an idle session expires; one with an open stream does not", async () => {
    const store = new SessionStore(new EventBus(), 50);
    const idle = store.create(key, TARGET, "2025-11-25", null);
    const streaming = store.create(key, TARGET, "2025-11-25", null);
    streaming.streams.add(new SseStream());
    // Idleness is measured with Date.now(): move the clock past the 50 ms limit instead of waiting.
    setSystemTime(new Date(Date.now() + 80));
    expect(store.find(idle.id, key, TARGET)).toBeNull();
    expect(store.find(streaming.id, key, TARGET)?.id).toBe(streaming.id);
    store.close();
  });

  test("a session answers only the credential and channel that created it", () => {
    const store = new SessionStore(new EventBus());
    const s = store.create(key, TARGET, "2025-11-25", null);
    expect(store.find(s.id, { ...key, apiKeyId: "key_2" }, TARGET)).toBeNull();
    expect(store.find(s.id, key, { ...TARGET, channel: "draft" })).toBeNull();
    expect(store.find(s.id, key, TARGET)).not.toBeNull();
    store.close();
  });

  test("revoking the grant, the key or the approving sign-in session ends its sessions and streams", () => {
    const bus = new EventBus();
    const store = new SessionStore(bus);
    const byKey = store.create(key, TARGET, "2025-11-25", null);
    const byGrant = store.create(user, TARGET, "2025-11-25", null);
    const byLogin = store.create(user, TARGET, "2025-11-25", null);
    const stream = new SseStream();
    byGrant.streams.add(stream);
    bus.emit("apiKeyRevoked", { apiKeyId: "key_1" });
    expect(store.find(byKey.id, key, TARGET)).toBeNull();
    bus.emit("grantRevoked", { grantId: "gnt_1" });
    expect(store.find(byGrant.id, user, TARGET)).toBeNull();
    expect(stream.closed).toBe(true);
    expect(store.find(byLogin.id, user, TARGET)).toBeNull();
    const again = store.create(user, TARGET, "2025-11-25", null);
    bus.emit("sessionEnded", { sessionId: "ses_1" });
    expect(store.find(again.id, user, TARGET)).toBeNull();
    store.close();
  });
});
