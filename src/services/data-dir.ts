/**
 * Operator operations on the data dir itself (issue 12): backups while a server runs, restores into an
 * empty dir, migrations and their dry run. The CLI is their only face; they work below the service
 * operations of src/services/operation.ts because there is no signed-in user — whoever can run them can
 * already read the files (docs/architecture.md: Service layer, "operator operations").
 */
import { Database } from "bun:sqlite";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config";
import { BACKUP_DIR, stamp, vacuumInto } from "../db/backup";
import { DB_FILE, migrate, openDb, SchemaTooNewError } from "../db/client";
import { appliedHashes, EMBEDDED, pendingMigrations } from "../db/migrator";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { KEY_FILE } from "../tools/secret-key";

export { SchemaTooNewError };

/** The key file written beside a backup `FILE`. */
export const backupKeyFile = (file: string) => `${file}.key`;

const private0600 = (p: string) => process.platform !== "win32" && chmodSync(p, 0o600);

export interface BackupResult {
  file: string;
  bytes: number;
  keyFile: string | null;
  /** Said loudly when the backup cannot be restored on its own (the key is not in it). */
  warning: string | null;
}

/** A consistent copy of the database (and the key file beside it), while a server may run on it. */
export function backupDataDir(config: Pick<Config, "dataDir" | "secretKey">, out: string | undefined, progress: (step: string) => void, now: number): BackupResult {
  const dbPath = join(config.dataDir, DB_FILE);
  if (!existsSync(dbPath)) throw new NotFoundError(`There is no Portico database in ${config.dataDir}; check --data-dir.`);
  const file = resolve(out ?? join(config.dataDir, BACKUP_DIR, `portico-${stamp(now)}.db`));
  progress(`Copying ${dbPath} …`);
  const source = new Database(dbPath, { readonly: false });
  let bytes: number;
  try {
    source.exec("PRAGMA busy_timeout = 5000");
    bytes = vacuumInto(source, file).bytes;
  } finally {
    source.close();
  }
  progress(`Checking the copy (${(bytes / 1e6).toFixed(1)} MB) …`);
  const copy = new Database(file, { readonly: true });
  const check = (copy.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
  copy.close();
  if (check !== "ok") throw new ConflictError(`the copy failed its integrity check (${check}); the original is unchanged`);
  if (config.secretKey) {
    return { file, bytes, keyFile: null, warning: "The secret key comes from PORTICO_SECRET_KEY and is NOT included: store that value with this backup, or its tool secrets are lost." };
  }
  if (!existsSync(join(config.dataDir, KEY_FILE))) {
    return { file, bytes, keyFile: null, warning: `No ${KEY_FILE} in ${config.dataDir}: this backup holds no secret key (no tool secret was ever saved here).` };
  }
  const keyFile = backupKeyFile(file);
  progress(`Writing the secret key to ${keyFile} …`);
  copyFileSync(join(config.dataDir, KEY_FILE), keyFile);
  private0600(keyFile);
  return { file, bytes, keyFile, warning: null };
}

export interface RestoreResult {
  dataDir: string;
  from: string;
  tables: number;
  keyFile: string | null;
  warning: string | null;
}

/** Checks a backup, then copies it (and its key) into an empty data dir. Never over existing data. */
export function restoreDataDir(dataDir: string, backup: string, keySource: string | undefined, progress: (step: string) => void): RestoreResult {
  const from = resolve(backup);
  if (!existsSync(from)) throw new NotFoundError(`No backup at ${from}.`);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new ConflictError(`${dataDir} is not empty: restore into a new, empty data dir (--data-dir), then point the server at it.`);
  }
  progress(`Checking ${from} …`);
  const tables = checkBackup(from);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  progress(`Copying into ${dataDir} …`);
  const target = join(dataDir, DB_FILE);
  copyFileSync(from, target);
  private0600(target);
  const key = keySource ? resolve(keySource) : backupKeyFile(from);
  if (!existsSync(key)) {
    const warning = `No key file at ${key}: start the server with PORTICO_SECRET_KEY set to the key this backup was made with, or its tool secrets and signing keys cannot be decrypted.`;
    return { dataDir, from, tables, keyFile: null, warning };
  }
  const keyFile = join(dataDir, KEY_FILE);
  copyFileSync(key, keyFile);
  private0600(keyFile);
  return { dataDir, from, tables, keyFile, warning: null };
}

/** Integrity, a Portico migrations table, and no migration this binary does not know; → table count. */
function checkBackup(from: string): number {
  let backup: Database;
  try {
    backup = new Database(from, { readonly: true });
    backup.query("SELECT 1 FROM sqlite_master LIMIT 1").all();
  } catch {
    throw new ValidationError(`${from} is not a readable SQLite database.`);
  }
  try {
    const check = (backup.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
    if (check !== "ok") throw new ValidationError(`The backup is damaged (${check}).`);
    const known = new Set(EMBEDDED.map((m) => m.hash));
    const applied = appliedHashes(backup);
    if (applied.length === 0) throw new ValidationError(`${from} is not a Portico backup (no migrations table).`);
    if (applied.some((r) => !known.has(r.hash))) throw new ValidationError("The backup was written by a newer Portico; restore it with that version.");
    return (backup.query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  } finally {
    backup.close();
  }
}

/** Applies pending migrations (or, with `dryRun`, only names them); `now` names the backup taken first. */
export function migrateDataDir(dataDir: string, dryRun: boolean, now: number): { applied: number; pending: string[]; backup: string | null } {
  const db = openDb(dataDir);
  try {
    if (!dryRun) {
      const pending = pendingMigrations(db.$client).map((m) => m.tag);
      const { applied, backup } = migrate(db, { now });
      return { applied, pending, backup };
    }
    const known = new Set(EMBEDDED.map((m) => m.hash));
    const unknown = appliedHashes(db.$client).filter((r) => !known.has(r.hash)).length;
    if (unknown > 0) throw new SchemaTooNewError(`the database was migrated by a newer Portico (${unknown} unknown migration(s)); upgrade the binary`);
    return { applied: 0, pending: pendingMigrations(db.$client).map((m) => m.tag), backup: null };
  } finally {
    db.$client.close();
  }
}

/**
 * `portico migrate` on a Postgres database: one transaction under the migration lock, as `serve` does at
 * start (no copy is taken: that is pg_dump's job). `dryRun` lists what would run and changes nothing.
 */
export async function migratePostgresDatabase(url: string, dryRun: boolean): Promise<{ applied: string[]; pending: string[] }> {
  // Loaded here: every command line imports this file (the CLI's SchemaTooNewError), and Bun's SQL client and
  // the Postgres migrations cost a SQLite start ≈ 20 ms (docs/architecture.md: Measured facts).
  const [{ SQL }, { migratePg, pendingPgMigrations }] = await Promise.all([import("bun"), import("../db/pg/migrator")]);
  const sql = new SQL(url, { max: 1 });
  try {
    if (dryRun) return { applied: [], pending: await pendingPgMigrations(sql) };
    return { applied: (await migratePg(sql)).applied, pending: [] };
  } finally {
    await sql.close();
  }
}
