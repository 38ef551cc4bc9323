/**
 * `portico backup [--out FILE]`: a consistent copy of the database while a server runs on it (`VACUUM
 * INTO`, src/db/backup.ts), plus the secret-key file beside it — without that key the copy's tool secrets
 * and signing keys cannot be decrypted. When the key comes from PORTICO_SECRET_KEY it is not in the data
 * dir, and the command says so loudly instead of pretending the backup is complete.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, chmodSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { BACKUP_DIR, stamp, vacuumInto } from "../../db/backup";
import { DB_FILE } from "../../db/client";
import { NotFoundError } from "../../errors";
import { KEY_FILE } from "../../tools/secret-key";
import type { Command } from "../command";

/** The key file written beside a backup `FILE`. */
export const backupKeyFile = (file: string) => `${file}.key`;

export const backupCommand: Command = {
  spec: {
    name: "backup",
    summary: "write a consistent copy of the database (and the secret key) while the server runs",
    flags: {
      out: { description: "file to write (default DATA_DIR/backups/portico-TIME.db); must not exist", value: "FILE" },
    },
    details: [
      "The copy is taken in one read transaction: consistent even under load. The secret key is written",
      "beside it as FILE.key (mode 0600) — keep both together and somewhere safe; anyone holding both can",
      "read the tool secrets. With PORTICO_SECRET_KEY the key is not in the data dir and is NOT included.",
      "Restore with `portico restore FILE --data-dir EMPTY_DIR`.",
    ].join("\n"),
  },
  async run(ctx) {
    const dataDir = ctx.config.dataDir;
    const dbPath = join(dataDir, DB_FILE);
    if (!existsSync(dbPath)) throw new NotFoundError(`There is no Portico database in ${dataDir}; check --data-dir.`);
    const out = resolve(ctx.args.flags.out ?? join(dataDir, BACKUP_DIR, `portico-${stamp(Date.now())}.db`));
    const say = (t: string) => ctx.io.err(t);
    say(`Copying ${dbPath} …`);
    const source = new Database(dbPath, { readonly: false });
    let bytes: number;
    try {
      source.exec("PRAGMA busy_timeout = 5000");
      bytes = vacuumInto(source, out).bytes;
    } finally {
      source.close();
    }
    say(`Checking the copy (${(bytes / 1e6).toFixed(1)} MB) …`);
    const copy = new Database(out, { readonly: true });
    const check = (copy.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
    copy.close();
    if (check !== "ok") throw new Error(`the copy failed its integrity check (${check}); the original is unchanged`);
    let key: string | null = null;
    let warning: string | null = null;
    if (ctx.config.secretKey) {
      warning = "The secret key comes from PORTICO_SECRET_KEY and is NOT included: store that value with this backup, or its tool secrets are lost.";
    } else if (existsSync(join(dataDir, KEY_FILE))) {
      key = backupKeyFile(out);
      say(`Writing the secret key to ${key} …`);
      copyFileSync(join(dataDir, KEY_FILE), key);
      if (process.platform !== "win32") chmodSync(key, 0o600);
    } else {
      warning = `No ${KEY_FILE} in ${dataDir}: this backup holds no secret key (no tool secret was ever saved here).`;
    }
    if (warning) say(`WARNING: ${warning}`);
    const text = [`Backup written: ${out} (${(bytes / 1e6).toFixed(1)} MB)`, key ? `Secret key: ${key}` : `Secret key: not included`, ...(warning ? [warning] : [])].join("\n");
    return { data: { file: out, bytes, keyFile: key, warning }, text };
  },
};
