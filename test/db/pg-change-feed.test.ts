/**
 * The Postgres change feed (src/db/pg/change-feed.ts; docs/architecture.md: Storage, "Postgres change
 * feed"), on a real Postgres with real separate processes: announcements reach the other instance with
 * their topics; announceAndWait resolves only after the other process's subscriber has run; a killed
 * instance stops being waited for after the liveness window; with Postgres unreachable the feed fails closed
 * (announceAndWait rejects, healthy() false, version() still answers) and recovers when it is back.
 */
import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { SQL } from "bun";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { migratePg } from "../../src/db/pg/migrator";
import { HEALTHY_MS, LIVE_MS, PgChangeFeed } from "../../src/db/pg/change-feed";
import { ChangeUnconfirmedError, type Change } from "../../src/lib/change-feed";
import { describePostgres } from "../fixtures/postgres";
import { TcpProxy } from "../fixtures/tcp-proxy";
import { tempDir } from "../helpers";
import { FeedProcess } from "./pg-feed-process";

// Child processes, heartbeats and a 5 s liveness window: slow by design.
setDefaultTimeout(40_000);

const topicsOf = (c: Change) => (c.topics ? [...c.topics].sort() : null);

/** Resolves when `pred` holds, polling; throws after `ms`. */
async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(20);
  }
}

describePostgres("Postgres change feed", (pg) => {
  let url = "";
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    url = await pg.createDatabase();
    const sql = new SQL(url, { max: 1 });
    await migratePg(sql);
    await sql.close();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function feedHere(onUrl = url): Promise<{ feed: PgChangeFeed; heard: Change[]; sql: SQL }> {
    const sql = new SQL(onUrl, { max: 4, connectionTimeout: 2 });
    const feed = await PgChangeFeed.start(sql, { onError: () => {} });
    const heard: Change[] = [];
    feed.subscribe((c) => heard.push(c));
    cleanups.push(async () => {
      await feed.close();
      await sql.close();
    });
    return { feed, heard, sql };
  }

  async function child(opts: { marker?: string; delayMs?: number } = {}): Promise<FeedProcess> {
    const p = new FeedProcess(url, opts);
    cleanups.push(() => p.exit());
    return p.ready();
  }

  test("two feeds in two processes hear each other's announcements with their topics; version() moves", async () => {
    const here = await feedHere();
    const there = await child();
    const before = here.feed.version();

    here.feed.announce(["grants"]);
    // Our own announcement is applied at once, not when its notification comes back.
    expect(here.feed.version()).toBe(before + 1);
    expect(topicsOf(here.heard.at(-1)!)).toEqual(["grants"]);
    expect((await there.next((l) => l.change)).topics).toEqual(["grants"]);

    there.send("announce keys,members");
    await until(() => here.heard.length === 2);
    expect(topicsOf(here.heard[1]!)).toEqual(["keys", "members"]);
    expect(here.feed.version()).toBe(before + 2);
    expect(here.feed.changedSince(before)).toEqual({ version: before + 2, topics: new Set(["grants", "keys", "members"]), here: false });
    // Our own notification came back and was not applied twice.
    await Bun.sleep(200);
    expect(here.heard).toHaveLength(2);
  });

  test("a notification whose payload cannot be read is a change with unknown topics", async () => {
    const here = await feedHere();
    const before = here.feed.version();
    await here.sql`SELECT pg_notify('portico_changes', 'not a change')`;
    await here.sql`SELECT pg_notify('portico_changes', '12:grants,nonsense:inst_x')`;
    await until(() => here.heard.length === 2);
    expect(here.heard.map(topicsOf)).toEqual([null, null]);
    expect(here.feed.changedSince(before).topics).toBeUndefined();
  });

  test("announceAndWait resolves only after the other process's subscriber has run; a plain announce does not wait", async () => {
    const marker = join(tempDir(), "applied.jsonl");
    const here = await feedHere();
    await child({ marker, delayMs: 400 });
    const applied = () => (existsSync(marker) ? readFileSync(marker, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

    here.feed.announce(["sessions"]);
    expect(applied()).toHaveLength(0);
    await until(() => applied().length === 1);

    const started = performance.now();
    await here.feed.announceAndWait(["grants"], 5000);
    const elapsed = performance.now() - started;
    // The subscriber busy-waits 400 ms, then writes the marker; the ack follows it.
    expect(applied().at(-1).topics).toEqual(["grants"]);
    expect(elapsed).toBeGreaterThanOrEqual(390);
  });

  test("announceAndWait from another process waits for this one too", async () => {
    const here = await feedHere();
    let releasedAt = 0;
    here.feed.subscribe(() => {
      releasedAt = performance.now();
    });
    const there = await child();
    there.send("wait apikeys 5000");
    const waited = await there.next((l) => l.waited ?? (l.failed ? -1 : undefined));
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(releasedAt).toBeGreaterThan(0);
    expect(topicsOf(here.heard.at(-1)!)).toEqual(["apikeys"]);
  });

  test("a killed instance keeps writers waiting until its heartbeat is older than the liveness window, then stops counting", async () => {
    const here = await feedHere();
    const doomed = await child();
    doomed.proc.kill("SIGKILL");
    await doomed.proc.exited;
    const killedAt = performance.now();
    // Still counted right after the kill: the writer is told it is not confirmed.
    const early = await here.feed.announceAndWait(["members"], 800).catch((err: unknown) => err);
    expect(early).toBeInstanceOf(ChangeUnconfirmedError);
    await here.feed.announceAndWait(["members"], LIVE_MS + 3000);
    const after = performance.now() - killedAt;
    // Its last heartbeat was at most ~1 s before the kill.
    expect(after).toBeGreaterThan(LIVE_MS - 1500);
    expect(after).toBeLessThan(LIVE_MS + 2000);
  });

  test("an instance that closes leaves the ack set at once", async () => {
    const here = await feedHere();
    const leaving = await child();
    await leaving.exit();
    const started = performance.now();
    await here.feed.announceAndWait(["tools"], 2000);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  test("Postgres unreachable: announceAndWait rejects, version() keeps answering, healthy() turns false; back again: healthy, and a change with unknown topics", async () => {
    const target = new URL(url);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port) }).start();
    cleanups.push(() => proxy.stop());
    const here = await feedHere(proxy.url(url));
    expect(here.feed.healthy()).toBe(true);
    await here.feed.announceAndWait(["grants"], 3000);

    proxy.stop();
    const cutAt = performance.now();
    const refused = await here.feed.announceAndWait(["grants"], 3000).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ChangeUnconfirmedError);
    const version = here.feed.version();
    expect(typeof version).toBe("number");
    await until(() => !here.feed.healthy(), HEALTHY_MS + 3000);
    // It gives up well before another instance would stop waiting for it (LIVE_MS after its last heartbeat).
    expect(performance.now() - cutAt).toBeLessThan(LIVE_MS);
    expect(here.feed.version()).toBeGreaterThanOrEqual(version);

    const heardBefore = here.heard.length;
    proxy.start();
    await until(() => here.feed.healthy(), 20_000);
    // Notifications sent while it was away are lost: it reports that anything may have changed.
    await until(() => here.heard.length > heardBefore);
    expect(here.heard.slice(heardBefore).some((c) => c.topics === undefined)).toBe(true);
    await here.feed.announceAndWait(["grants"], 3000);
  });
  /** The error Bun's client hands `onclose` when `provoke` closes its one connection (real, not built by hand). */
  async function closeError(opts: { idleTimeout?: number }, provoke: (pid: number) => Promise<void>): Promise<Error & { code?: string; errno?: string }> {
    let closed: Error | null = null;
    const sql = new SQL(url, { max: 1, ...opts, onclose: (err) => (closed ??= err) });
    const [{ pid }] = (await sql`SELECT pg_backend_pid() AS pid`) as Array<{ pid: number }>;
    await provoke(pid);
    await until(() => closed !== null);
    await sql.close();
    return closed!;
  }

  test("a connection the database closed makes the feed unhealthy at once, until its listener has echoed again; the pool's idle timeout does not", async () => {
    const admin = new SQL(url, { max: 1 });
    cleanups.push(() => admin.close());
    // What `pg_ctl stop -m fast` does to every connection: the server terminates it (SQLSTATE 57P01).
    const terminated = await closeError({}, async (pid) => void (await admin`SELECT pg_terminate_backend(${pid})`));
    expect([terminated.code, terminated.errno]).toEqual(["ERR_POSTGRES_SERVER_ERROR", "57P01"]);
    const idle = await closeError({ idleTimeout: 1 }, () => Bun.sleep(1100));
    expect(idle.code).toBe("ERR_POSTGRES_IDLE_TIMEOUT");

    const sql = new SQL(url, { max: 4, connectionTimeout: 2 });
    const feed = await PgChangeFeed.start(sql, { heartbeatMs: 100, onError: () => {} });
    cleanups.push(async () => {
      await feed.close();
      await sql.close();
    });
    await until(() => feed.healthy());
    feed.connectionLost(idle);
    expect(feed.healthy()).toBe(true);
    // Not HEALTHY_MS later: a request arriving now must not be served from caches nothing keeps exact.
    feed.connectionLost(terminated);
    expect(feed.healthy()).toBe(false);
    // The database is still there: the next probe echoes, the heartbeat after it makes the feed healthy again.
    await until(() => feed.healthy());
  });
});
