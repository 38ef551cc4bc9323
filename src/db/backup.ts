/**
 * Consistent copies of the SQLite database while a server runs on it (`VACUUM INTO`: one read
 * transaction, so the copy is a snapshot even under write load; WAL keeps writers going meanwhile).
 * Used by `portico backup` and automatically before migrations (issue 12).
 */
import type { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConflictError } from "../errors";

/** Backups taken before a migration go here, inside the data dir. */
export const BACKUP_DIR = "backups";

/** The file path of the main database of `client`, or null for an in-memory one. */
export function databaseFile(client: Database): string | null {
  const row = client.query("PRAGMA database_list").all().find((r) => (r as { name: string }).name === "main") as { file: string } | undefined;
  return row?.file ? row.file : null;
}

/** Writes a consistent copy of `client`'s database to `out` (which must not exist), mode 0600. */
export function vacuumInto(client: Database, out: string): { bytes: number } {
  if (existsSync(out)) throw new ConflictError(`${out} already exists; choose another file name`);
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  client.run("VACUUM INTO ?", [out]);
  if (process.platform !== "win32") chmodSync(out, 0o600);
  return { bytes: statSync(out).size };
}

/** `2026-12-02T04-05-06Z`: sortable and safe in file names on every platform. */
export function stamp(now: number): string {
  return new Date(now).toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
}

/** Takes the pre-migration backup next to the database; returns its path, or null for in-memory ones. */
export function backupBeforeMigration(client: Database, firstPendingTag: string, now: number): string | null {
  const file = databaseFile(client);
  if (!file) return null;
  const out = join(dirname(file), BACKUP_DIR, `before-${firstPendingTag}-${stamp(now)}.db`);
  vacuumInto(client, out);
  return out;
}
