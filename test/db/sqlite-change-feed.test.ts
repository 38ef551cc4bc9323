/**
 * The SQLite change feed: `version()` moves after every commit — this connection's, another connection's,
 * another process's (as the CLI makes), also across checkpoints — and only then; announced writes carry
 * their topics when provably alone; subscribers hear changes until they unsubscribe.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SqliteChangeFeed } from "../../src/db/sqlite-change-feed";
import type { Change } from "../../src/lib/change-feed";
import { tempDir } from "../helpers";
import { feedOn, memoryDb, walDb } from "./wal-dbs";


/** A WAL database with an empty table and a feed on it. */
function fresh(opts: ConstructorParameters<typeof SqliteChangeFeed>[1] = {}) {
  const path = join(tempDir(), "a.db");
  const db = walDb(path);
  db.exec("CREATE TABLE t (x)");
  return { path, db, feed: feedOn(db, opts) };
}

/** Runs SQL in a separate bun process, as `portico` CLI commands write while a server runs. */
function inOtherProcess(path: string, sql: string): void {
  const child = Bun.spawnSync([process.execPath, "-e", `new (require("bun:sqlite").Database)(${JSON.stringify(path)}).exec(${JSON.stringify(sql)})`]);
  expect(child.exitCode).toBe(0);
}

/** Resolves with the next change a subscriber hears. */
function nextChange(feed: SqliteChangeFeed): Promise<Change> {
  return new Promise((resolve) => {
    const off = feed.subscribe((change) => {
      off();
      resolve(change);
    });
  });
}

describe("SqliteChangeFeed.version", () => {
  test("stays put while nothing is committed (reads do not count)", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    db.query("SELECT count(*) FROM t").get();
    expect(feed.version()).toBe(v);
    expect(feed.changedSince(v)).toEqual({ version: v, topics: new Set(), here: true });
  });

  test("moves after a commit on the same connection", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    db.exec("INSERT INTO t VALUES (1)");
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("moves after a commit by another connection", () => {
    const { path, feed } = fresh();
    const v = feed.version();
    walDb(path).exec("INSERT INTO t VALUES (1)");
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("moves after a commit by another process, also after that process checkpointed the WAL", () => {
    const { path, feed } = fresh();
    for (const sql of ["INSERT INTO t VALUES (1)", "PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)"]) {
      const v = feed.version();
      inOtherProcess(path, sql);
      const after = feed.version();
      expect(after).toBeGreaterThan(v);
      expect(feed.changedSince(v).topics).toBeUndefined();
    }
  });

  test("after our own checkpoint, the next commit still moves it", () => {
    const { db, feed } = fresh();
    db.exec("INSERT INTO t VALUES (1)");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const v = feed.version();
    db.exec("INSERT INTO t VALUES (2)");
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("without a -shm file (in-memory database) it still sees this connection's commits", () => {
    const db = memoryDb();
    db.exec("CREATE TABLE t (x)");
    const feed = feedOn(db);
    const v = feed.version();
    expect(feed.version()).toBe(v);
    db.exec("INSERT INTO t VALUES (1)");
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("after close() it stops reading the database (safe once the connection is gone)", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    feed.close();
    db.exec("INSERT INTO t VALUES (1)");
    expect(feed.version()).toBe(v);
  });
});

describe("SqliteChangeFeed.quietly (writes no cache reads: audit rows, rate-limit windows)", () => {
  test("its own commit does not move the version; the next ordinary commit does", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    feed.quietly(() => db.exec("INSERT INTO t VALUES (1)"));
    expect(feed.version()).toBe(v);
    db.exec("INSERT INTO t VALUES (2)");
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("a commit by another connection before it still moves the version", () => {
    const { path, db, feed } = fresh();
    const v = feed.version();
    walDb(path).exec("INSERT INTO t VALUES (1)");
    feed.quietly(() => db.exec("INSERT INTO t VALUES (2)"));
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("a commit by another connection during it still moves the version", () => {
    const { path, db, feed } = fresh();
    const other = walDb(path);
    const v = feed.version();
    feed.quietly(() => {
      other.exec("INSERT INTO t VALUES (1)");
      db.exec("INSERT INTO t VALUES (2)");
    });
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("two commits inside it are not both absorbed", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    feed.quietly(() => {
      db.exec("INSERT INTO t VALUES (1)");
      db.exec("INSERT INTO t VALUES (2)");
    });
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("a write that changed nothing absorbs nothing: another connection's commit meanwhile still counts", () => {
    const { path, db, feed } = fresh();
    const other = walDb(path);
    const v = feed.version();
    feed.quietly(() => {
      other.exec("INSERT INTO t VALUES (1)");
      db.exec("UPDATE t SET x = x WHERE 0");
    });
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("a write that changed a row without committing a frame absorbs nothing: another connection's commit meanwhile still counts", () => {
    const { path, db, feed } = fresh();
    db.exec("INSERT INTO t VALUES (1)");
    const other = walDb(path);
    const v = feed.version();
    feed.quietly(() => {
      other.exec("INSERT INTO t VALUES (2)");
      // One row changed (total_changes moves), identical content: SQLite writes no frame for it.
      db.exec("UPDATE t SET x = x WHERE x = 1");
    });
    expect(feed.version()).toBeGreaterThan(v);
  });

  test("a write that throws commits nothing and leaves the version alone", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    const tx = db.transaction(() => {
      db.exec("INSERT INTO t VALUES (1)");
      throw new Error("rolled back");
    });
    expect(() => feed.quietly(() => tx())).toThrow("rolled back");
    expect(feed.version()).toBe(v);
  });

  test("without a -shm file (in-memory database): absorbed too, another write still counts", () => {
    const db = memoryDb();
    db.exec("CREATE TABLE t (x)");
    const feed = feedOn(db);
    const v = feed.version();
    feed.quietly(() => db.exec("INSERT INTO t VALUES (1)"));
    expect(feed.version()).toBe(v);
    db.exec("INSERT INTO t VALUES (2)");
    expect(feed.version()).toBeGreaterThan(v);
  });
});

describe("SqliteChangeFeed topics", () => {
  test("an announcement right after a single commit names exactly its topics", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    db.exec("INSERT INTO t VALUES (1)");
    feed.announce(["tools"]);
    expect(feed.changedSince(v).topics).toEqual(new Set(["tools"]));
  });

  test("an unannounced commit in between makes the change 'anything'", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    db.exec("INSERT INTO t VALUES (1)");
    db.exec("INSERT INTO t VALUES (2)");
    feed.announce(["tools"]);
    expect(feed.changedSince(v).topics).toBeUndefined();
  });

  test("another process's commit in between makes the change 'anything'", () => {
    const { path, db, feed } = fresh();
    const v = feed.version();
    inOtherProcess(path, "INSERT INTO t VALUES (1)");
    db.exec("INSERT INTO t VALUES (2)");
    feed.announce(["grants"]);
    expect(feed.changedSince(v).topics).toBeUndefined();
  });

  test("topics of consecutive announced changes add up", () => {
    const { db, feed } = fresh();
    const v = feed.version();
    db.exec("INSERT INTO t VALUES (1)");
    feed.announce(["tools"]);
    db.exec("INSERT INTO t VALUES (2)");
    feed.announce(["grants"]);
    expect(feed.changedSince(v).topics).toEqual(new Set(["tools", "grants"]));
  });
});

describe("SqliteChangeFeed.subscribe", () => {
  test("a subscriber hears an announced write at once, with its topics", () => {
    const { db, feed } = fresh();
    const heard: Change[] = [];
    const off = feed.subscribe((c) => heard.push(c));
    db.exec("INSERT INTO t VALUES (1)");
    feed.announce(["tools"]);
    expect(heard).toHaveLength(1);
    expect(heard[0]!.topics).toEqual(new Set(["tools"]));
    off();
  });

  test("a subscriber hears another process's commit by the poll, as 'anything'", async () => {
    const { path, feed } = fresh({ pollMs: 10 });
    const change = nextChange(feed);
    inOtherProcess(path, "INSERT INTO t VALUES (1)");
    expect((await change).topics).toBeUndefined();
  });

  test("after unsubscribing it hears nothing more, and the other subscribers still do", () => {
    const { db, feed } = fresh();
    const first: Change[] = [];
    const second: Change[] = [];
    const offFirst = feed.subscribe((c) => first.push(c));
    const offSecond = feed.subscribe((c) => second.push(c));
    offFirst();
    db.exec("INSERT INTO t VALUES (1)");
    feed.announce(["tools"]);
    expect(first).toHaveLength(0);
    expect(second).toHaveLength(1);
    offSecond();
    db.exec("INSERT INTO t VALUES (2)");
    feed.announce(["tools"]);
    expect(second).toHaveLength(1);
  });

  test("a failing subscriber does not fail the write that announced the change", () => {
    const errors: unknown[] = [];
    const { db, feed } = fresh({ onError: (err) => errors.push(err) });
    const heard: Change[] = [];
    feed.subscribe(() => {
      throw new Error("boom");
    });
    feed.subscribe((c) => heard.push(c));
    db.exec("INSERT INTO t VALUES (1)");
    expect(() => feed.announce(["tools"])).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(heard).toHaveLength(1);
  });
});

describe("SqliteChangeFeed across processes (the ChangeFeed contract the Postgres feed shares)", () => {
  test("announceAndWait resolves at once: another process on the data dir sees the commit on its next version(); healthy() holds", async () => {
    const { path, db, feed } = fresh();
    const other = feedOn(walDb(path));
    const seen = other.version();
    const heard = nextChange(feed);
    db.exec("INSERT INTO t VALUES (1)");
    await feed.announceAndWait(["grants"], 1);
    expect((await heard).topics).toEqual(new Set(["grants"]));
    expect(other.version()).toBeGreaterThan(seen);
    expect(feed.healthy()).toBe(true);
  });
});
