import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync } from "node:fs";
import { StorageUnavailableError } from "../errors";
import { join } from "node:path";
import * as schema from "./schema";
import { MIGRATIONS } from "./migrations";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** Thrown when the data dir holds a schema newer than this binary knows: starting would corrupt it. */
export class SchemaTooNewError extends Error {}

export const DB_FILE = "portico.db";

/** Opens (creating if needed) the SQLite database in `dataDir`, tuned for one writer and many readers. */
export function openDb(dataDir: string | ":memory:"): Db {
  let path = ":memory:";
  if (dataDir !== ":memory:") {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    path = join(dataDir, DB_FILE);
    // SQLite would only say "unable to open database file": name the real problem for the operator.
    try {
      accessSync(dataDir, constants.W_OK);
    } catch (err) {
      const why = (err as { code?: string }).code === "EROFS" ? "it is on a read-only file system" : "this user may not write there";
      throw new StorageUnavailableError(`the data directory ${dataDir} is not writable (${why}); Portico keeps its database there`);
    }
    restrictPermissions(dataDir, path);
  }
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  return drizzle({ client: sqlite, schema }) as Db;
}

/**
 * The data dir holds password hashes, sealed keys and the audit log: only the owner may read it (issue 11
 * #14). The database file is created 0600 before SQLite opens it, because SQLite gives its `-wal` and `-shm`
 * files the database file's mode; files left 0644 by older versions are tightened. Best effort: a dir the
 * user does not own (a mounted volume) keeps its mode.
 */
function restrictPermissions(dataDir: string, dbPath: string): void {
  if (process.platform === "win32") return;
  const tighten = (p: string, mode: number) => {
    try {
      chmodSync(p, mode);
    } catch {
      // not ours to change (e.g. a volume owned by another user); access was checked above
    }
  };
  tighten(dataDir, 0o700);
  if (!existsSync(dbPath)) closeSync(openSync(dbPath, "a", 0o600));
  for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) if (existsSync(file)) tighten(file, 0o600);
}

/** Applies embedded migrations; idempotent. Refuses a database migrated by a newer Portico. */
export function migrate(db: Db): { applied: number } {
  const client = db.$client;
  const known = new Set(MIGRATIONS.map((m) => m.hash));
  const hasTable = client
    .query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  let before = 0;
  if (hasTable) {
    const rows = client.query("SELECT hash FROM __drizzle_migrations").all() as { hash: string }[];
    const unknown = rows.filter((r) => !known.has(r.hash));
    if (unknown.length > 0) {
      throw new SchemaTooNewError(
        `the database was migrated by a newer Portico (${unknown.length} unknown migration(s)); upgrade the binary`,
      );
    }
    before = rows.length;
  }
  // drizzle's public migrator reads migration files from disk; the dialect's migrate takes them from memory.
  const internal = db as unknown as { dialect: { migrate: Function }; session: unknown };
  internal.dialect.migrate(MIGRATIONS, internal.session, { migrationsTable: "__drizzle_migrations" });
  const after = (client.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
  return { applied: after - before };
}
