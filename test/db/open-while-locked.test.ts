/**
 * Opening the data dir while another process holds the database locked for a moment (it is closing its last
 * connection and checkpointing, say) waits for the lock like every later statement does, instead of failing at
 * once with "database is locked" (src/db/client.ts: the busy timeout is set before the first statement).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDb } from "../../src/db/client";
import { tempDir } from "../helpers";

test("openDb waits for a lock another process holds briefly instead of failing at once", async () => {
  const dir = tempDir();
  openDb(dir).$client.close();
  // Another process takes an exclusive lock (exclusive locking mode keeps it after the write) and keeps it 400 ms.
  const holder = Bun.spawn([process.execPath, "-e", `
    const db = new (require("bun:sqlite").Database)(${JSON.stringify(join(dir, "portico.db"))});
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (x); COMMIT");
    console.log("held");
    setTimeout(() => db.close(), 400);`], { stdout: "pipe" });
  const reader = holder.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain("held");
  const started = performance.now();
  const db = openDb(dir);
  expect(db.$client.query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'held'").get()).toEqual({ n: 1 });
  db.$client.close();
  expect(performance.now() - started).toBeGreaterThan(100);
  await holder.exited;
});
