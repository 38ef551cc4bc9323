/**
 * `portico restore FILE --data-dir DIR`: puts a backup (and the key file written beside it) into an empty
 * data dir. Refuses a non-empty one — restoring over live data is how backups destroy data — and a backup
 * that fails its integrity check or was written by a newer Portico. The server migrates it at start.
 */
import { Database } from "bun:sqlite";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DB_FILE } from "../../db/client";
import { appliedHashes, EMBEDDED } from "../../db/migrator";
import { ConflictError, NotFoundError, ValidationError } from "../../errors";
import { KEY_FILE } from "../../tools/secret-key";
import type { Command } from "../command";
import { flag } from "../command";
import { backupKeyFile } from "./backup";

export const restoreCommand: Command = {
  spec: {
    name: "restore",
    summary: "restore a backup into an empty data dir",
    positional: "from",
    flags: {
      from: { description: "the backup file written by `portico backup`", value: "FILE", required: true },
      key: { description: "the key file to restore (default FILE.key beside the backup)", value: "FILE" },
    },
    details: "The data dir (--data-dir) must be empty or absent. Start the server on it afterwards; it applies any newer migrations.",
  },
  async run(ctx) {
    const from = resolve(flag(ctx, "from"));
    const dataDir = ctx.config.dataDir;
    if (!existsSync(from)) throw new NotFoundError(`No backup at ${from}.`);
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new ConflictError(`${dataDir} is not empty: restore into a new, empty data dir (--data-dir), then point the server at it.`);
    }
    const say = (t: string) => ctx.io.err(t);
    say(`Checking ${from} …`);
    let tables = 0;
    try {
      const backup = new Database(from, { readonly: true });
      try {
        const check = (backup.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
        if (check !== "ok") throw new ValidationError(`The backup is damaged (${check}).`);
        const known = new Set(EMBEDDED.map((m) => m.hash));
        const applied = appliedHashes(backup);
        if (applied.length === 0) throw new ValidationError(`${from} is not a Portico backup (no migrations table).`);
        if (applied.some((r) => !known.has(r.hash))) throw new ValidationError("The backup was written by a newer Portico; restore it with that version.");
        tables = (backup.query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
      } finally {
        backup.close();
      }
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      throw new ValidationError(`${from} is not a readable SQLite database.`);
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    say(`Copying into ${dataDir} …`);
    const target = join(dataDir, DB_FILE);
    copyFileSync(from, target);
    if (process.platform !== "win32") chmodSync(target, 0o600);
    const keySource = ctx.args.flags.key ? resolve(ctx.args.flags.key) : backupKeyFile(from);
    let keyFile: string | null = null;
    let warning: string | null = null;
    if (existsSync(keySource)) {
      keyFile = join(dataDir, KEY_FILE);
      copyFileSync(keySource, keyFile);
      if (process.platform !== "win32") chmodSync(keyFile, 0o600);
    } else {
      warning = `No key file at ${keySource}: start the server with PORTICO_SECRET_KEY set to the key this backup was made with, or its tool secrets and signing keys cannot be decrypted.`;
      say(`WARNING: ${warning}`);
    }
    const text = [`Restored ${from} into ${dataDir} (${tables} tables).`, keyFile ? `Secret key restored to ${keyFile}.` : "Secret key: not restored.", ...(warning ? [warning] : []), `Start it with: portico serve --data-dir ${dataDir}`].join("\n");
    return { data: { dataDir, from, keyFile, warning }, text };
  },
};
