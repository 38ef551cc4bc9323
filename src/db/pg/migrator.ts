/**
 * Applying the Postgres migrations (`db/pg/`), with the SQLite migrator's rules (src/db/migrator.ts): every
 * pending migration in ONE transaction or none, bookkeeping in `__drizzle_migrations` (hash, created_at =
 * the journal's `when`), pending = newer than the last applied, and a database holding a migration this
 * build does not know is refused untouched (it was migrated by a newer Portico).
 *
 * Several instances may start at once against one database (issue 15): the transaction first takes a
 * transaction-scoped advisory lock, so the others wait for it, then find nothing pending — the schema is
 * migrated exactly once and nobody reads a half-migrated one. Postgres DDL is transactional, so a failing
 * statement rolls back the tables created before it as well.
 */
import type { SQL } from "bun";
import journal from "../../../db/pg/meta/_journal.json" with { type: "json" };
import { SchemaTooNewError } from "../client";
import type { Migration } from "../migrator";
import { PG_MIGRATIONS } from "./migrations";

/** Every Postgres migration this build carries, oldest first. */
export const EMBEDDED_PG: Migration[] = PG_MIGRATIONS.map((m, i) => ({ ...m, tag: journal.entries[i]?.tag ?? `migration-${i}` }));

const TABLE = "__drizzle_migrations";

/**
 * Advisory lock keys, `pg_advisory_xact_lock(PORTICO, job)`: the first key is "port" as an int4 so Portico's
 * locks do not collide with another application's in a shared database, the second names the job
 * (`changes`: announcements of the change feed, src/db/pg/change-feed.ts).
 */
export const ADVISORY = { portico: 0x706f7274, migrate: 1, copy: 2, changes: 3 } as const;

/** Takes the transaction-scoped advisory lock for `job` (released at COMMIT or ROLLBACK). */
export async function advisoryXactLock(tx: SQL, job: "migrate" | "copy"): Promise<void> {
  await tx.unsafe(`SELECT pg_advisory_xact_lock(${ADVISORY.portico}, ${ADVISORY[job]})`);
}

/** Hashes already applied, oldest first (empty when the bookkeeping table does not exist). */
export async function appliedPgHashes(sql: SQL): Promise<Array<{ hash: string; createdAt: number }>> {
  const [exists] = await sql`SELECT to_regclass(${TABLE}) IS NOT NULL AS present`;
  if (!exists?.present) return [];
  const rows = await sql.unsafe(`SELECT hash, created_at FROM ${TABLE} ORDER BY created_at, id`);
  return (rows as Array<{ hash: string; created_at: string | number }>).map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }));
}

export interface PgMigrateResult {
  /** Tags of the migrations this call applied (empty when the database was up to date). */
  applied: string[];
}

/** Applies every pending migration in one transaction under the migration lock; idempotent. */
export async function migratePg(sql: SQL, migrations: Migration[] = EMBEDDED_PG): Promise<PgMigrateResult> {
  return sql.begin(async (tx) => {
    await advisoryXactLock(tx, "migrate");
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${TABLE} (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    const applied = await appliedPgHashes(tx);
    const known = new Set(migrations.map((m) => m.hash));
    const unknown = applied.filter((r) => !known.has(r.hash));
    if (unknown.length > 0) {
      throw new SchemaTooNewError(`the Postgres database was migrated by a newer Portico (${unknown.length} unknown migration(s)); upgrade the binary`);
    }
    const last = applied.at(-1)?.createdAt ?? -Infinity;
    const pending = migrations.filter((m) => m.folderMillis > last);
    for (const m of pending) {
      for (const stmt of m.sql) if (stmt.trim()) await tx.unsafe(stmt);
      await tx.unsafe(`INSERT INTO ${TABLE} (hash, created_at) VALUES ($1, $2)`, [m.hash, m.folderMillis]);
    }
    return { applied: pending.map((m) => m.tag) };
  });
}

/** Tags of the migrations `migratePg` would apply now (nothing is changed). */
export async function pendingPgMigrations(sql: SQL, migrations: Migration[] = EMBEDDED_PG): Promise<string[]> {
  const last = (await appliedPgHashes(sql)).at(-1)?.createdAt ?? -Infinity;
  return migrations.filter((m) => m.folderMillis > last).map((m) => m.tag);
}
