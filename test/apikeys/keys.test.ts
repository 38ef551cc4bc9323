import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { listOrgEvents } from "../../src/audit/org-audit";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "../../src/apikeys/keys";
import { getUser } from "../../src/auth/users";
import { projectAccess } from "../../src/services/access";
import { issueApiKey, revokeKey } from "../../src/services/keys";
import { invoke } from "../../src/services/operation";
import { openDb } from "../../src/db/client";
import { systemClock } from "../../src/lib/clock";
import { EventBus } from "../../src/lib/events";
import { removeMember, setRole } from "../../src/projects/orgs";
import { mcpFixture, rpc, type McpFixture } from "../mcp/fixture";

let f: McpFixture;
afterEach(() => {
  setSystemTime();
  return f?.stop();
});

const PING = { jsonrpc: "2.0", id: 1, method: "ping" };
const ping = (url: string, key: string) => rpc(url, PING, { authorization: `Bearer ${key}` });

describe("API keys", () => {
  test("a key is prt_-prefixed, shown once, stored only as a hash, and its use is tracked", async () => {
    f = await mcpFixture();
    // The CLI's operator path: it records the create operation's event (src/services/keys.ts).
    const { id, key } = await issueApiKey(f.deps, { project: f.project, user: await getUser(f.deps.db, f.users.developer) }, { name: "ci" });
    expect(key).toMatch(/^prt_[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify(f.deps.db.$client.query("SELECT * FROM api_keys").all());
    expect(dump).not.toContain(key);
    expect((await listApiKeys(f.deps, f.project.id)).find((k) => k.id === id)).toMatchObject({ name: "ci", prefix: key.slice(0, 12), lastUsedAt: null });
    expect((await ping(f.url(), key)).status).toBe(200);
    expect((await listApiKeys(f.deps, f.project.id)).find((k) => k.id === id)!.lastUsedAt).toBeNumber();
    expect((await listOrgEvents(f.deps.db, f.org.id, { action: "apikey.create" }))[0]).toMatchObject({ targetId: id, actorId: f.users.developer });
  });

  test("revoking a key refuses it at once and ends its open notification streams", async () => {
    f = await mcpFixture();
    const { id, key } = await createApiKey(f.deps, { projectId: f.project.id, userId: f.users.developer, name: "ci" });
    const auth = { authorization: `Bearer ${key}` };
    const init = await rpc(f.url("draft"), { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } } }, auth);
    const sid = init.headers.get("mcp-session-id")!;
    const stream = await fetch(f.url("draft"), { headers: { ...auth, accept: "text/event-stream", "mcp-session-id": sid } });
    const reader = stream.body!.getReader();
    await reader.read();
    const admin = await projectAccess(f.deps, await getUser(f.deps.db, f.users.admin), { kind: "operator" }, f.org.slug, f.project.slug);
    await invoke(revokeKey, f.deps, admin, { id });
    const end = await Promise.race([reader.read().then((r) => r.done), Bun.sleep(2000).then(() => "still open")]);
    expect(end).toBe(true);
    const res = await rpc(f.url("draft"), PING, { ...auth, "mcp-session-id": sid });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("revoked");
    expect((await listOrgEvents(f.deps.db, f.org.id, { action: "apikey.revoke" }))[0]).toMatchObject({ targetId: id, actorId: f.users.admin });
  });

  test("a key revoked by another process (the CLI's own connection) is refused on the very next request", async () => {
    f = await mcpFixture();
    const { id, key } = await createApiKey(f.deps, { projectId: f.project.id, userId: f.users.developer, name: "ci" });
    expect((await ping(f.url(), key)).status).toBe(200);
    const cli = { db: openDb(f.deps.config.dataDir), bus: new EventBus(), clock: systemClock };
    await revokeApiKey(cli, f.project.id, id);
    cli.db.$client.close();
    expect((await ping(f.url(), key)).status).toBe(401);
  });

  test("the last-use stamp is written once per interval even when the key's row comes from a cache nothing drops", async () => {
    // On Postgres the stamp (raw SQL) is not announced on the change feed, so the MCP read cache keeps the
    // row it loaded: before the fix that row's null stamp made every request write it again.
    f = await mcpFixture();
    const { id, key } = await createApiKey(f.deps, { projectId: f.project.id, userId: f.users.developer, name: "ci" });
    const cache = new Map<string, unknown>();
    const read = <T,>(k: string, load: () => T): T => {
      if (!cache.has(k)) cache.set(k, load());
      return cache.get(k) as T;
    };
    const stamp = () => (f.deps.db.$client.query("SELECT last_used_at AS t FROM api_keys WHERE id = ?").get(id) as { t: number | null }).t;
    const target = { projectId: f.project.id, channel: "production" as const };
    const t0 = Date.now();
    await authenticateApiKey(f.deps, key, target, t0, read);
    expect(stamp()).toBe(t0);
    await authenticateApiKey(f.deps, key, target, t0 + 1_000, read);
    expect(stamp()).toBe(t0);
    await authenticateApiKey(f.deps, key, target, t0 + 61_000, read);
    expect(stamp()).toBe(t0 + 61_000);
  });

  test("a key acts with its creator's current role, re-checked on every request", async () => {
    f = await mcpFixture();
    const key = await f.keyFor("developer");
    expect((await ping(f.url("draft"), key)).status).toBe(200);
    await setRole(f.deps.db, f.org.id, f.users.developer, "viewer");
    expect((await ping(f.url("draft"), key)).status).toBe(403);
    expect((await ping(f.url(), key)).status).toBe(200);
    await removeMember(f.deps.db, f.org.id, f.users.developer);
    const gone = await ping(f.url(), key);
    expect(gone.status).toBe(401);
    expect(gone.headers.get("www-authenticate")).toContain("no longer a member");
  });

  test("a viewer's key cannot reach draft, and a key narrowed to production stays there", async () => {
    f = await mcpFixture();
    expect((await ping(f.url("draft"), await f.keyFor("viewer"))).status).toBe(403);
    const narrowed = await f.keyFor("owner", "production");
    expect((await ping(f.url(), narrowed)).status).toBe(200);
    expect((await ping(f.url("draft"), narrowed)).status).toBe(403);
  });

  test("an expired key is refused; a key of another project is refused", async () => {
    f = await mcpFixture();
    const { key } = await createApiKey(f.deps, { projectId: f.project.id, userId: f.users.owner, name: "short", expiresAt: Date.now() + 200 });
    expect((await ping(f.url(), key)).status).toBe(200);
    // Expiry is a Date comparison: move the clock past it instead of waiting.
    setSystemTime(new Date(Date.now() + 250));
    const expired = await ping(f.url(), key);
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain("expired");
    await expect(createApiKey(f.deps, { projectId: f.project.id, userId: f.users.owner, name: "past", expiresAt: Date.now() - 1 })).rejects.toThrow(/future/);
  });

  test("only members may create keys, and only for channels their role reaches", async () => {
    f = await mcpFixture();
    await expect(createApiKey(f.deps, { projectId: f.project.id, userId: f.users.viewer, name: "x", channel: "draft" })).rejects.toThrow(/cannot use the draft channel/);
    await expect(createApiKey(f.deps, { projectId: f.project.id, userId: f.users.viewer, name: "" })).rejects.toThrow(/name/);
  });
});
