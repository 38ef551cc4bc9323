/**
 * WAL checkpoints off the event loop (src/db/checkpointer.ts, issue 19): the server's own connection no longer
 * checkpoints every ~1,000 frames in the middle of a commit (9–10 ms of fsyncs measured there); a worker thread
 * with its own connection does it in the background, and the main connection keeps a far backstop so the WAL
 * still restarts under a load that never pauses.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { openSync, readSync, closeSync } from "node:fs";
import { join } from "node:path";
import { BACKSTOP_PAGES, startCheckpointer } from "../../src/db/checkpointer";
import { createLogger } from "../../src/lib/log";
import { tempDir } from "../helpers";
import { walDb } from "./wal-dbs";

/** mxFrame (wal-index header) and nBackfill (checkpoint info) of the database's -shm (sqlite.org/walformat.html §2.1). */
function walState(path: string): { frames: number; backfilled: number } {
  const fd = openSync(`${path}-shm`, "r");
  const buf = Buffer.alloc(104);
  readSync(fd, buf, 0, 104, 0);
  closeSync(fd);
  return { frames: buf.readUInt32LE(16), backfilled: buf.readUInt32LE(96) };
}

/** A WAL database as `openDb` makes it, with a table to write pages into. */
function database() {
  const path = join(tempDir(), "c.db");
  const db = walDb(path);
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("CREATE TABLE t (x)");
  const write = (frames: number) => {
    const insert = db.prepare("INSERT INTO t VALUES (randomblob(3000))");
    for (let i = 0; i < frames; i++) insert.run();
  };
  return { path, db, write };
}

describe("WAL checkpointer", () => {
  test("without it, a commit past 1,000 frames checkpoints on the committing connection (what it moves away)", () => {
    const { path, write } = database();
    write(1200);
    // Checkpointed at ~1,000 frames, then restarted by the next commit: the WAL holds only the last ones.
    expect(walState(path).frames).toBeLessThan(1000);
  });

  test("with it, the committing connection leaves the checkpoint to the worker, which catches up in the background", async () => {
    const { path, db, write } = database();
    const checkpointer = await startCheckpointer(db, createLogger("silent"), 60_000);
    try {
      write(1200);
      // Past SQLite's 1,000 frames, nothing checkpointed and nothing restarted: no commit stopped to do it.
      expect(walState(path).backfilled).toBe(0);
      expect(walState(path).frames).toBeGreaterThanOrEqual(1200);
    } finally {
      await checkpointer.stop();
    }
    const fast = await startCheckpointer(db, createLogger("silent"), 20);
    try {
      const deadline = Date.now() + 5000;
      while (walState(path).backfilled < walState(path).frames && Date.now() < deadline) await Bun.sleep(20);
      expect(walState(path).backfilled).toBe(walState(path).frames);
    } finally {
      await fast.stop();
    }
  });

  test("under writes that never pause, the backstop still restarts the WAL (it does not grow without bound)", async () => {
    const { path, db, write } = database();
    const checkpointer = await startCheckpointer(db, createLogger("silent"), 60_000, 2000);
    try {
      write(2500);
      // Restarted past the backstop: the WAL holds far fewer frames than were written.
      expect(walState(path).frames).toBeLessThan(2000);
    } finally {
      await checkpointer.stop();
    }
  });

  test("stop gives checkpoints back to the connection", async () => {
    const { db } = database();
    const checkpointer = await startCheckpointer(db, createLogger("silent"));
    expect(db.query("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: BACKSTOP_PAGES });
    await checkpointer.stop();
    expect(db.query("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 1000 });
  });

  test("an in-memory database has nothing to checkpoint", async () => {
    const checkpointer = await startCheckpointer(new Database(":memory:"), createLogger("silent"));
    await checkpointer.stop();
  });
});
