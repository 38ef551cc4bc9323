/** `portico restore FILE --data-dir DIR`: the CLI face of `restoreDataDir` (src/services/data-dir.ts). */
import { restoreDataDir } from "../../services/data-dir";
import { flag, type Command } from "../command";
import { UsageError } from "../args";

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
    // The data dir's SQLite file is what this copies; a Postgres database has its own tools for that.
    if (ctx.config.databaseUrl) throw new UsageError("database-url", "portico restore works on the SQLite data dir; with Postgres use pg_dump / pg_restore or your provider's snapshots (and keep the secret key file)");
    const r = restoreDataDir(ctx.config.dataDir, flag(ctx, "from"), ctx.args.flags.key, (step) => ctx.io.err(step));
    if (r.warning) ctx.io.err(`WARNING: ${r.warning}`);
    const text = [
      `Restored ${r.from} into ${r.dataDir} (${r.tables} tables).`,
      r.keyFile ? `Secret key restored to ${r.keyFile}.` : "Secret key: not restored.",
      ...(r.warning ? [r.warning] : []),
      `Start it with: portico serve --data-dir ${r.dataDir}`,
    ];
    return { data: { dataDir: r.dataDir, from: r.from, keyFile: r.keyFile, warning: r.warning }, text: text.join("\n") };
  },
};
