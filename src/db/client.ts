import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync } from "node:fs";
import { StorageUnavailableError } from "../errors";
import { join } from "node:path";
import * as schema from "./schema";
import { appliedHashes, applyMigrations, EMBEDDED, pendingMigrations, type Migration } from "./migrator";
import { backupBeforeMigration } from "./backup";
import { systemClock } from "../lib/clock";

/**
 * A database handle. `t` holds this database's own tables: services build queries from `db.t`, never from
 * an import of one dialect's schema, so the same service code runs on SQLite and on Postgres
 * (docs/architecture.md: Storage).
 */
export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database; t: Tables; engine: Engine };
/** Which engine a handle talks to: the few places that must differ (transactions, raw SQL) ask this. */
export type Engine = "sqlite" | "postgres";
/** The tables of a database, typed as SQLite's; Postgres' twins have the same names, columns and row types (db/SCHEMA.md: "Two dialects"). */
export type Tables = typeof schema;

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
  // The busy timeout first: `journal_mode` already needs a lock, and another process closing its last
  // connection holds one while it checkpoints — without the timeout that was an immediate "database is locked"
  // (seen once: a `portico serve` started right after a CLI command on the same data dir).
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  return Object.assign(drizzle({ client: sqlite, schema }), { t: schema, engine: "sqlite" as const }) as Db;
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

export interface MigrateResult {
  applied: number;
  /** The backup taken before migrating an existing database (null when nothing ran or it was fresh). */
  backup: string | null;
}

/**
 * Applies the embedded migrations; idempotent. Refuses a database migrated by a newer Portico without
 * writing to it. Before migrating a database that already holds data, a consistent copy is written to
 * `backups/` in the data dir; the migrations then land in one transaction or not at all (src/db/migrator.ts).
 * `now` names that copy: `createDeps` passes its clock's; callers holding only a database fall back to the system clock.
 */
export function migrate(db: Db, opts: { migrations?: Migration[]; now?: number } = {}): MigrateResult {
  const client = db.$client;
  const migrations = opts.migrations ?? EMBEDDED;
  const known = new Set(migrations.map((m) => m.hash));
  const applied = appliedHashes(client);
  const unknown = applied.filter((r) => !known.has(r.hash));
  if (unknown.length > 0) {
    throw new SchemaTooNewError(`the database was migrated by a newer Portico (${unknown.length} unknown migration(s)); upgrade the binary`);
  }
  const pending = pendingMigrations(client, migrations);
  if (pending.length === 0) return { applied: 0, backup: null };
  const backup = applied.length > 0 ? backupBeforeMigration(client, pending[0]!.tag, opts.now ?? systemClock.now()) : null;
  applyMigrations(client, pending);
  return { applied: pending.length, backup };
}
