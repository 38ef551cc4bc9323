/**
 * Issue 15: the session store on Postgres. Two stores, each with its own pool and its own Postgres change
 * feed (src/db/pg/change-feed.ts) on one database, stand for two instances: a session made on one is served
 * by the other, and one ended on one closes the stream the other holds as soon as the feed delivers the
 * change (docs/architecture.md: Change feed, "Several instances"; "Postgres change feed").
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { SQL } from "bun";
import type { Principal } from "../../src/auth/principal";
import type { Db } from "../../src/db/client";
import { PgChangeFeed } from "../../src/db/pg/change-feed";
import { openPgStorage } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import { systemClock } from "../../src/lib/clock";
import { EventBus } from "../../src/lib/events";
import { ReadCache } from "../../src/mcp/read-cache";
import { SessionStore } from "../../src/mcp/sessions";
import { SseStream } from "../../src/mcp/sse";
import { describePostgres } from "../fixtures/postgres";
import { seedWorld } from "../fixtures/world";
import { testConfig } from "../helpers";

const key: Principal = { kind: "apikey", userId: "usr_1", apiKeyId: "key_1", role: "developer", scopes: ["project:read", "tools:call"] };
const user: Principal = { kind: "user", userId: "usr_2", grantId: "gnt_1", clientId: "cli_1", sessionId: "ses_1", role: "viewer", scopes: ["project:read"] };

/** Resolves when `pred` holds, polling; throws after `ms` (the feed delivers in milliseconds; the bound only ends a hung test). */
async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

/** `read()`'s value once `pred` holds of it (another instance's write reaches this one's cache by the feed). */
async function eventually<T>(read: () => Promise<T>, pred: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await read();
    if (pred(v) || performance.now() > deadline) return v;
    await Bun.sleep(10);
  }
}

describePostgres("MCP sessions on Postgres", (pg) => {
  let target: { orgId: string; projectId: string; channel: "production" };
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    const db = openPgStorage(pg.url, { max: 2 });
    await migratePg(db.$client as never);
    const w = await seedWorld({ db, bus: new EventBus(), config: testConfig({ dataDir: ":memory:" }), clock: systemClock }, { sessions: false });
    target = { orgId: w.org.id, projectId: w.project.id, channel: "production" };
    await (db.$client as unknown as SQL).close();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** One instance: its own pool, change feed, event bus and session store. */
  async function instance(): Promise<{ store: SessionStore; bus: EventBus; db: Db; changes: PgChangeFeed }> {
    const db = openPgStorage(pg.url, { max: 4 });
    const sql = db.$client as unknown as SQL;
    const changes = await PgChangeFeed.start(sql, { onError: () => {} });
    const bus = new EventBus(changes);
    const store = new SessionStore({ db, changes, bus }, new ReadCache(changes));
    cleanups.push(async () => {
      store.close();
      await changes.close();
      await sql.close();
    });
    return { store, bus, db, changes };
  }

  test("a session made on one instance is found on the other, with the log level either one set, and counted once", async () => {
    const a = await instance();
    const b = await instance();
    const s = await a.store.create(key, target, "2025-06-18", { name: "host", version: "1" }, { elicitation: {} });
    const onB = (await b.store.find(s.id, key, target))!;
    expect(onB).toMatchObject({ id: s.id, protocolVersion: "2025-06-18", clientInfo: { name: "host", version: "1" }, clientCapabilities: { elicitation: {} }, logLevel: "info", lastSeen: s.lastSeen });
    await b.store.setLogLevel(onB, "error");
    // A's read cache drops the row when B's announcement arrives over the feed.
    expect((await eventually(() => a.store.find(s.id, key, target), (f) => f?.logLevel === "error"))?.logLevel).toBe("error");
    expect(await b.store.find(s.id, { ...key, apiKeyId: "key_2" }, target)).toBeNull();
    expect(await a.store.count()).toBe(await b.store.count());
  });

  test("a session ended on one instance closes the stream the other holds, by the feed", async () => {
    const a = await instance();
    const b = await instance();
    const s = await a.store.create(key, target, "2025-11-25", null);
    const stream = new SseStream();
    expect(b.store.openStream((await b.store.find(s.id, key, target))!, () => stream)).not.toBeNull();
    expect(await a.store.end(s.id)).toBe(true);
    await until(() => stream.closed);
    expect(b.store.streamCount).toBe(0);
    expect(await b.store.find(s.id, key, target)).toBeNull();
  });

  test("revoking a grant on one instance deletes its sessions for every instance and closes the streams held here", async () => {
    const a = await instance();
    const b = await instance();
    const byGrant = await a.store.create(user, target, "2025-11-25", null);
    const byKey = await a.store.create(key, target, "2025-11-25", null);
    const stream = new SseStream();
    a.store.openStream(byGrant, () => stream);
    a.bus.emit("grantRevoked", { grantId: "gnt_1" });
    // Closed before the DELETE's round trip: a revoked credential's stream sends nothing more.
    expect(stream.closed).toBe(true);
    expect(await eventually(() => b.store.find(byGrant.id, user, target), (f) => f === null)).toBeNull();
    expect((await b.store.find(byKey.id, key, target))?.id).toBe(byKey.id);
  });

  test("a stream opened while the vanished-row check is in flight is not closed by it", async () => {
    const b = await instance();
    const first = await b.store.create(key, target, "2025-11-25", null);
    const second = await b.store.create(key, target, "2025-11-25", null);
    const one = new SseStream();
    b.store.openStream(first, () => one);
    // Another writer's session announcement: the store asks Postgres which held rows still exist…
    b.changes.announce([]);
    // …and a GET stream opens before the answer arrives.
    const two = new SseStream();
    b.store.openStream(second, () => two);
    await Bun.sleep(200);
    expect(one.closed).toBe(false);
    expect(two.closed).toBe(false);
    expect(b.store.streamCount).toBe(2);
  });
});
