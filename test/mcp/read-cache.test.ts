/**
 * The MCP read cache is exact: any commit — this connection, another connection, another process such as
 * the CLI — drops it before the next read, and nothing else does.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openDb } from "../../src/db/client";
import { transaction } from "../../src/db/query";
import { ReadCache } from "../../src/mcp/read-cache";
import { tempDir } from "../helpers";
import { feedOn, memoryDb, walDb } from "../db/wal-dbs";


function counting(db: Database) {
  const feed = feedOn(db);
  const cache = new ReadCache(feed);
  let loads = 0;
  const read = () => cache.get("n", () => (loads++, (db.query("SELECT count(*) AS n FROM t").get() as { n: number }).n));
  return { cache, read, loads: () => loads };
}

/** A WAL database with an empty table, and a cache that has read it once. */
function primed() {
  const path = join(tempDir(), "a.db");
  const db = walDb(path);
  db.exec("CREATE TABLE t (x)");
  const c = counting(db);
  c.cache.revalidate();
  expect(c.read()).toBe(0);
  return { path, db, c };
}

describe("ReadCache", () => {
  test("serves repeated reads from memory while nothing is committed", () => {
    const { c } = primed();
    c.cache.revalidate();
    expect(c.read()).toBe(0);
    expect(c.loads()).toBe(1);
  });

  test("a commit on the same connection is seen by the very next read, even without revalidate()", () => {
    const { db, c } = primed();
    db.exec("INSERT INTO t VALUES (1)");
    expect(c.read()).toBe(1);
  });

  test("a commit by another connection is seen by the very next read", () => {
    const { path, c } = primed();
    walDb(path).exec("INSERT INTO t VALUES (1)");
    c.cache.revalidate();
    expect(c.read()).toBe(1);
  });

  test("a commit by another process (as the CLI makes) is seen by the very next read, also after a checkpoint", () => {
    const { path, c } = primed();
    for (const [i, sql] of ["INSERT INTO t VALUES (1)", "PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO t VALUES (2)"].entries()) {
      const child = Bun.spawnSync([process.execPath, "-e", `new (require("bun:sqlite").Database)(${JSON.stringify(path)}).exec(${JSON.stringify(sql)})`]);
      expect(child.exitCode).toBe(0);
      c.cache.revalidate();
      expect(c.read()).toBe(i + 1);
    }
  });

  test("forRequest: a commit made before the request is seen; one made during it is left to the next request", () => {
    const { db, c } = primed();
    const load = () => (db.query("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    db.exec("INSERT INTO t VALUES (1)");
    const first = c.cache.forRequest();
    expect(first.get("n", load)).toBe(1);
    db.exec("INSERT INTO t VALUES (2)");
    // The same request: served from what it began with (one look at the feed per request, not per read).
    expect(first.get("n", load)).toBe(1);
    expect(c.cache.forRequest().get("n", load)).toBe(2);
  });

  test("attack: a read made while another request's transaction is open is not kept — a rollback leaves nothing behind", async () => {
    const db = openDb(tempDir());
    const c = db.$client;
    c.exec("CREATE TABLE m (user TEXT PRIMARY KEY, role TEXT); INSERT INTO m VALUES ('u', 'viewer'); CREATE TABLE audit (x)");
    const feed = feedOn(c);
    const cache = new ReadCache(feed);
    const role = () => (c.query("SELECT role FROM m WHERE user = 'u'").get() as { role: string }).role;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // An admin write raises the role, then fails a later check after a storage await, and rolls back.
    const admin = transaction(db, async () => {
      c.run("UPDATE m SET role = 'owner' WHERE user = 'u'");
      await gate;
      throw new Error("a later check failed");
    }).catch(() => "rolled back");
    await Promise.resolve();
    // An MCP request whose continuation runs meanwhile reads through the cache (and sees the uncommitted row).
    expect(cache.forRequest().get("role:u", role)).toBe("owner");
    release();
    expect(await admin).toBe("rolled back");
    // The audit writer's next batch, a quiet commit: it moves no version, so only not keeping the read helps.
    feed.quietly(() => c.transaction(() => c.run("INSERT INTO audit VALUES (1)")).immediate());
    expect(cache.forRequest().get("role:u", role)).toBe("viewer");
    c.close();
  });

  test("without a -shm file (in-memory database) it still sees this connection's commits", () => {
    const db = memoryDb();
    db.exec("CREATE TABLE t (x)");
    const c = counting(db);
    expect(c.read()).toBe(0);
    db.exec("INSERT INTO t VALUES (1)");
    expect(c.read()).toBe(1);
    expect(c.read()).toBe(1);
    expect(c.loads()).toBe(2);
  });

  test("an awaited load is shared while it runs, and a failed one is not kept", async () => {
    const db = memoryDb();
    const cache = new ReadCache(feedOn(db));
    let loads = 0;
    let fail = true;
    const read = () => cache.get("k", async () => (loads++, await Bun.sleep(1), fail ? Promise.reject(new Error("unreachable")) : "row"));
    const [first, second] = [read(), read()];
    expect(first).toBe(second);
    await expect(first).rejects.toThrow("unreachable");
    fail = false;
    expect(await read()).toBe("row");
    expect(await read()).toBe("row");
    expect(loads).toBe(2);
  });
});
