/** `portico migrate`: apply the embedded schema migrations to the data dir and report what was done. */
import { migrate, openDb, SchemaTooNewError } from "../../db/client";
import { appliedHashes, EMBEDDED, pendingMigrations } from "../../db/migrator";
import type { Command } from "../command";

export const migrateCommand: Command = {
  spec: {
    name: "migrate",
    summary: "apply pending database migrations (the server also does this at start)",
    flags: {
      "dry-run": { description: "list the migrations that would run, change nothing", type: "boolean" },
    },
    details: [
      "Before migrating a database that holds data, a consistent copy is written to DATA_DIR/backups/.",
      "All pending migrations run in one transaction: either all land or none does.",
      "Refuses a database written by a newer Portico (and leaves it untouched): run the newer binary, or",
      "restore a backup taken before the upgrade with `portico restore`.",
    ].join("\n"),
  },
  async run(ctx) {
    const db = openDb(ctx.config.dataDir);
    try {
      if (ctx.args.switches["dry-run"]) {
        const known = new Set(EMBEDDED.map((m) => m.hash));
        const unknown = appliedHashes(db.$client).filter((r) => !known.has(r.hash)).length;
        if (unknown > 0) throw new SchemaTooNewError(`the database was migrated by a newer Portico (${unknown} unknown migration(s)); upgrade the binary`);
        const pending = pendingMigrations(db.$client).map((m) => m.tag);
        return {
          data: { dryRun: true, pending, dataDir: ctx.config.dataDir },
          text: pending.length ? `Would apply ${pending.length} migration(s) to ${ctx.config.dataDir}:\n${pending.map((t) => `  ${t}`).join("\n")}` : `${ctx.config.dataDir} is up to date.`,
        };
      }
      const { applied, backup } = migrate(db);
      const text = applied ? `Applied ${applied} migration(s) to ${ctx.config.dataDir}.${backup ? `\nBackup taken before migrating: ${backup}` : ""}` : `${ctx.config.dataDir} is up to date.`;
      return { data: { applied, backup, dataDir: ctx.config.dataDir }, text };
    } finally {
      db.$client.close();
    }
  },
};
