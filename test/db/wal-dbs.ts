/** Raw WAL databases and change feeds for the change-feed and read-cache tests, closed after each test. */
import { afterEach } from "bun:test";
import { Database } from "bun:sqlite";
import { SqliteChangeFeed } from "../../src/db/sqlite-change-feed";

const open: Database[] = [];
const feeds: SqliteChangeFeed[] = [];
afterEach(() => {
  for (const feed of feeds.splice(0)) feed.close();
  for (const db of open.splice(0)) db.close();
});

/** A database file in WAL mode (so it has the -shm wal-index the feed reads). */
export function walDb(path: string): Database {
  const db = new Database(path, { create: true });
  db.exec("PRAGMA journal_mode = WAL");
  open.push(db);
  return db;
}

/** An in-memory database (no -shm file), closed after the test. */
export function memoryDb(): Database {
  const db = new Database(":memory:");
  open.push(db);
  return db;
}

/** A change feed on `db`, closed before the databases after the test. */
export function feedOn(db: Database, opts: ConstructorParameters<typeof SqliteChangeFeed>[1] = {}): SqliteChangeFeed {
  const feed = new SqliteChangeFeed(db, opts);
  feeds.push(feed);
  return feed;
}
