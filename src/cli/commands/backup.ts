/** `portico backup [--out FILE]`: the CLI face of `backupDataDir` (src/services/data-dir.ts). */
import { systemClock } from "../../lib/clock";
import { backupDataDir } from "../../services/data-dir";
import type { Command } from "../command";
import { UsageError } from "../args";

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
    // The data dir's SQLite file is what this copies; a Postgres database has its own tools for that.
    if (ctx.config.databaseUrl) throw new UsageError("database-url", "portico backup works on the SQLite data dir; with Postgres use pg_dump / pg_restore or your provider's snapshots (and keep the secret key file)");
    // No deps here (a server may hold the data dir): the CLI, as the outermost face, picks the clock.
    const r = backupDataDir(ctx.config, ctx.args.flags.out, (step) => ctx.io.err(step), systemClock.now());
    if (r.warning) ctx.io.err(`WARNING: ${r.warning}`);
    const text = [`Backup written: ${r.file} (${(r.bytes / 1e6).toFixed(1)} MB)`, r.keyFile ? `Secret key: ${r.keyFile}` : "Secret key: not included", ...(r.warning ? [r.warning] : [])];
    return { data: r, text: text.join("\n") };
  },
};
