/**
 * The `mcp_sessions` statements on both engines (src/mcp/session-rows.ts, src/mcp/session-rows-pg.ts): the
 * same calls read back the same values, so the session store cannot tell the engines apart
 * (db/SCHEMA.md: "Two dialects").
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { SQL } from "bun";
import { migrate, openDb, type Db } from "../../src/db/client";
import { openPgStorage } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import { systemClock } from "../../src/lib/clock";
import { EventBus } from "../../src/lib/events";
import { SqliteSessionRows, type McpSession, type SessionRows } from "../../src/mcp/session-rows";
import { PgSessionRows } from "../../src/mcp/session-rows-pg";
import { sessionRowsFor } from "../../src/mcp/sessions";
import { describePostgres } from "../fixtures/postgres";
import { seedWorld } from "../fixtures/world";
import { testConfig } from "../helpers";

const T = 1_800_000_000_000;

/** The rows' behaviour, asserted on a migrated database of either engine with one seeded project. */
function rowsSuite(open: () => Promise<{ db: Db; close(): Promise<void> }>, kind: typeof SqliteSessionRows | typeof PgSessionRows) {
  let db: Db;
  let close: () => Promise<void>;
  let rows: SessionRows;
  let target: { orgId: string; projectId: string };
  beforeAll(async () => {
    ({ db, close } = await open());
    const w = await seedWorld({ db, bus: new EventBus(), config: testConfig({ dataDir: ":memory:" }), clock: systemClock }, { sessions: false });
    target = { orgId: w.org.id, projectId: w.project.id };
    rows = sessionRowsFor(db);
  });
  afterAll(() => close());
  beforeEach(async () => {
    await rows.deleteIdleSince(Number.MAX_SAFE_INTEGER);
  });

  const session = (id: string, over: Partial<McpSession> = {}): McpSession => ({
    id, credential: "apikey:key_1", projectId: target.projectId, channel: "production", protocolVersion: "2025-11-25", clientInfo: null,
    clientCapabilities: {}, logLevel: "info", grantId: null, apiKeyId: "key_1", userId: "usr_1", orgId: target.orgId, role: "developer",
    loginSessionId: null, lastSeen: T, ...over,
  });

  test("the factory picks this engine's rows", () => {
    expect(rows).toBeInstanceOf(kind);
  });

  test("a session reads back as inserted, JSON columns parsed and times as numbers", async () => {
    const s = session("s1", { clientInfo: { name: "host", version: "1.2" }, clientCapabilities: { elicitation: {}, roots: { listChanged: true } }, grantId: "gnt_1", loginSessionId: "ses_1" });
    await rows.insert(s, T - 5);
    expect(await rows.get("s1")).toEqual(s);
    await rows.insert(session("s2", { userId: null, role: null, apiKeyId: null, credential: "anonymous:203.0.113.9" }), T);
    expect(await rows.get("s2")).toEqual(session("s2", { userId: null, role: null, apiKeyId: null, credential: "anonymous:203.0.113.9" }));
    expect(await rows.get("missing")).toBeNull();
    await expect(rows.insert(s, T)).rejects.toThrow();
  });

  test("touch, log level, count and the oldest first", async () => {
    for (const [i, id] of ["a", "b", "c", "d"].entries()) await rows.insert(session(id, { lastSeen: T + i }), T);
    await rows.touch(["a"], T + 100);
    await rows.touch(["b", "c", "missing"], T + 200);
    expect((await rows.get("a"))!.lastSeen).toBe(T + 100);
    expect((await rows.get("c"))!.lastSeen).toBe(T + 200);
    expect(await rows.oldest(2)).toEqual(["d", "a"]);
    await rows.setLogLevel("d", "error");
    expect((await rows.get("d"))!.logLevel).toBe("error");
    expect(await rows.count()).toBe(4);
  });

  test("delete says whether there was a row; expiry and revocations say what they deleted", async () => {
    await rows.insert(session("k1"), T);
    await rows.insert(session("k2", { lastSeen: T + 10 }), T);
    await rows.insert(session("g1", { apiKeyId: null, grantId: "gnt_9", loginSessionId: "ses_9" }), T);
    await rows.insert(session("g2", { apiKeyId: null, grantId: "gnt_8", loginSessionId: "ses_9" }), T);
    await rows.insert(session("old", { lastSeen: T - 1000 }), T);
    expect(await rows.delete("k1")).toBe(true);
    expect(await rows.delete("k1")).toBe(false);
    expect(await rows.deleteIdleSince(T)).toBe(1);
    expect(await rows.deleteByCredential("grantId", "gnt_9")).toEqual(["g1"]);
    expect(await rows.deleteByCredential("loginSessionId", "ses_9")).toEqual(["g2"]);
    expect(await rows.deleteByCredential("apiKeyId", "key_1")).toEqual(["k2"]);
    expect(await rows.count()).toBe(0);
    expect(await rows.deleteIdleSince(T)).toBe(0);
  });

  test("existing names the ids that still have a row, over several chunks", async () => {
    await rows.insert(session("live1"), T);
    await rows.insert(session("live2"), T);
    const asked = [...Array.from({ length: 1200 }, (_, i) => `gone${i}`), "live1", "live2"];
    expect([...(await rows.existing(asked))].sort()).toEqual(["live1", "live2"]);
    expect(await rows.existing([])).toEqual(new Set());
  });
}

describe("MCP session rows on SQLite", () => {
  rowsSuite(async () => {
    const db = openDb(":memory:");
    migrate(db);
    return { db, close: async () => db.$client.close() };
  }, SqliteSessionRows);
});

describePostgres("MCP session rows on Postgres", (pg) => {
  rowsSuite(async () => {
    const db = openPgStorage(pg.url, { max: 2 });
    await migratePg(db.$client as never);
    return { db, close: () => (db.$client as unknown as SQL).close() };
  }, PgSessionRows);
});
