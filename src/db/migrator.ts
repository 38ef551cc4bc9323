/**
 * Applying the embedded migrations, following SQLite's documented procedure for schema changes
 * (https://sqlite.org/lang_altertable.html#otheralter): foreign keys off *outside* the transaction — a
 * `PRAGMA foreign_keys` inside one does nothing, so a drizzle-kit table rebuild (create new, copy, DROP old,
 * rename) would cascade-delete every child row of a rebuilt `projects` or `users` — then all pending
 * migrations in ONE transaction, `PRAGMA foreign_key_check` before COMMIT, foreign keys back on.
 * Either every pending migration lands or none does.
 *
 * Bookkeeping stays drizzle's (`__drizzle_migrations`: hash, created_at = the journal's `when`), so data
 * dirs migrated by earlier versions are read as they are.
 */
import type { Database } from "bun:sqlite";
import journal from "../../db/meta/_journal.json" with { type: "json" };
import { MIGRATIONS } from "./migrations";

export interface Migration {
  /** The migration's file name without `.sql`, e.g. `0001_security_hardening`. */
  tag: string;
  hash: string;
  /** The journal's `when`: the order, and what drizzle stores as `created_at`. */
  folderMillis: number;
  sql: string[];
}

/** Every migration this build carries, oldest first. */
export const EMBEDDED: Migration[] = MIGRATIONS.map((m, i) => ({ ...m, tag: journal.entries[i]?.tag ?? `migration-${i}` }));

const TABLE = "__drizzle_migrations";

/** A migration left the database with rows pointing at nothing: rolled back, nothing changed. */
export class MigrationIntegrityError extends Error {}

/** Hashes already applied to `client`, oldest first (empty on a fresh database). */
export function appliedHashes(client: Database): Array<{ hash: string; createdAt: number }> {
  const has = client.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${TABLE}'`).get();
  if (!has) return [];
  return (client.query(`SELECT hash, created_at AS createdAt FROM ${TABLE} ORDER BY created_at`).all() as Array<{ hash: string; createdAt: number }>).map(
    (r) => ({ hash: r.hash, createdAt: Number(r.createdAt) }),
  );
}

/** Migrations newer than the last applied one (drizzle's rule: by `created_at`). */
export function pendingMigrations(client: Database, migrations: Migration[] = EMBEDDED): Migration[] {
  const applied = appliedHashes(client);
  const last = applied.at(-1)?.createdAt ?? -Infinity;
  return migrations.filter((m) => m.folderMillis > last);
}

/** Statements that only make sense outside a transaction; the procedure above does their job. */
const FOREIGN_KEYS_PRAGMA = /^\s*PRAGMA\s+foreign_keys\s*=\s*(ON|OFF)\s*;?\s*$/i;

/** Applies `pending` in one transaction; throws (and changes nothing) on any failure. */
export function applyMigrations(client: Database, pending: Migration[]): void {
  if (pending.length === 0) return;
  client.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
  client.run("PRAGMA foreign_keys = OFF");
  try {
    client.run("BEGIN IMMEDIATE");
    try {
      for (const m of pending) {
        for (const stmt of m.sql) if (stmt.trim() && !FOREIGN_KEYS_PRAGMA.test(stmt)) client.run(stmt);
        client.run(`INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`, [m.hash, m.folderMillis]);
      }
      const broken = client.query("PRAGMA foreign_key_check").all() as Array<{ table: string; parent: string }>;
      if (broken.length > 0) {
        const first = broken[0]!;
        throw new MigrationIntegrityError(
          `migration would leave ${broken.length} row(s) in ${first.table} pointing at missing ${first.parent} rows; nothing was changed`,
        );
      }
      client.run("COMMIT");
    } catch (err) {
      client.run("ROLLBACK");
      throw err;
    }
  } finally {
    client.run("PRAGMA foreign_keys = ON");
  }
}
