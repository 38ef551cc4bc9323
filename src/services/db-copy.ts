/**
 * `portico db copy --to postgres://…` (issue 15): a team graduating from one machine moves its SQLite data
 * dir into an EMPTY Postgres database — migrated first, then every table in one transaction, so the target
 * holds everything or nothing, and never a mix with rows that were already there. An operator operation
 * like backup and restore (src/services/data-dir.ts): no signed-in user, the CLI is its only face
 * (docs/architecture.md: Service layer, "operator operations").
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE, openDb, SchemaTooNewError } from "../db/client";
import { appliedHashes, EMBEDDED, pendingMigrations } from "../db/migrator";
import { isPostgresUrl, openPg } from "../db/pg/client";
import { copySqliteToPg, foreignTables, TargetNotEmptyError } from "../db/pg/copy";
import { migratePg } from "../db/pg/migrator";
import { maskUrl } from "../lib/database-url";
import { ConflictError, NotFoundError, StorageUnavailableError, ValidationError } from "../errors";

export const DEFAULT_COPY_BATCH = 500;

export interface DbCopyResult {
  /** The target with its password masked. */
  to: string;
  /** Postgres migrations applied to the target before copying (empty when it was already migrated). */
  migrated: string[];
  /** Rows copied per table, in copy (foreign-key) order. */
  tables: Record<string, number>;
  rows: number;
}

/** Copies the data dir's database into the empty Postgres database at `url`. */
export async function copyDataDirToPostgres(dataDir: string, url: string, opts: { batchSize?: number; progress: (step: string) => void }): Promise<DbCopyResult> {
  if (!isPostgresUrl(url)) throw new ValidationError("to: use a postgres:// URL, e.g. postgres://portico@db.internal:5432/portico", [{ field: "to" }]);
  const dbPath = join(dataDir, DB_FILE);
  if (!existsSync(dbPath)) throw new NotFoundError(`There is no Portico database in ${dataDir}; check --data-dir.`);
  const shown = maskUrl(url);

  const lite = openDb(dataDir);
  const pg = openPg(url, { max: 2 });
  try {
    const known = new Set(EMBEDDED.map((m) => m.hash));
    if (appliedHashes(lite.$client).some((r) => !known.has(r.hash))) {
      throw new SchemaTooNewError("the data dir was migrated by a newer Portico; copy it with that version");
    }
    const pending = pendingMigrations(lite.$client).length;
    if (pending > 0) throw new ConflictError(`The data dir has ${pending} pending migration(s): run \`portico migrate --data-dir ${dataDir}\` first, then copy.`);

    opts.progress(`Connecting to ${shown} …`);
    try {
      await pg.$client`SELECT 1`;
    } catch (err) {
      throw new StorageUnavailableError(`Cannot reach Postgres at ${shown}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Another application's tables: migrating would mix Portico's schema into its database.
    const foreign = await foreignTables(pg);
    if (foreign.length > 0) {
      throw new ConflictError(`${shown} is not empty: it holds tables that are not Portico's (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}). Copy into a new database (createdb portico).`);
    }
    const { applied } = await migratePg(pg.$client);
    opts.progress(applied.length ? `Migrated ${shown}: ${applied.join(", ")}` : `${shown} is already migrated.`);

    let copied: Array<{ table: string; rows: number }>;
    try {
      copied = await copySqliteToPg(lite, pg, {
        batchSize: opts.batchSize ?? DEFAULT_COPY_BATCH,
        progress: (table, done, total) => {
          if (done === 0 && total > 0) opts.progress(`Copying ${table} (${total} row${total === 1 ? "" : "s"}) …`);
          else if (done > 0 && done < total) opts.progress(`  ${table}: ${done}/${total}`);
        },
      });
    } catch (err) {
      if (err instanceof TargetNotEmptyError) {
        throw new ConflictError(`${shown} is not empty: ${err.message}. \`portico db copy\` only fills an empty database, so nothing is ever overwritten; nothing was written. Copy into a new database (createdb portico).`);
      }
      throw err;
    }
    const tables = Object.fromEntries(copied.map((c) => [c.table, c.rows]));
    const rows = copied.reduce((n, c) => n + c.rows, 0);
    opts.progress(`Committed ${rows} row(s) in ${copied.length} tables.`);
    return { to: shown, migrated: applied, tables, rows };
  } finally {
    lite.$client.close();
    await pg.$client.close();
  }
}
