/** `portico migrate [--dry-run]`: the CLI face of `migrateDataDir` (src/services/data-dir.ts). */
import { systemClock } from "../../lib/clock";
import { migrateDataDir, migratePostgresDatabase } from "../../services/data-dir";
import { maskUrl } from "../../lib/database-url";
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
      "With --database-url (PORTICO_DATABASE_URL) the Postgres database is migrated instead, under a lock, so",
      "instances starting together migrate once; take a pg_dump first.",
      "Refuses a database written by a newer Portico (and leaves it untouched): run the newer binary, or",
      "restore a backup taken before the upgrade with `portico restore`.",
    ].join("\n"),
  },
  async run(ctx) {
    if (ctx.config.databaseUrl) {
      const url = ctx.config.databaseUrl;
      const where = maskUrl(url);
      if (ctx.args.switches["dry-run"] === true) {
        const { pending } = await migratePostgresDatabase(url, true);
        const text = pending.length ? `Would apply ${pending.length} migration(s) to ${where}:\n${pending.map((t) => `  ${t}`).join("\n")}` : `${where} is up to date.`;
        return { data: { dryRun: true, pending, database: where }, text };
      }
      const { applied } = await migratePostgresDatabase(url, false);
      return { data: { applied: applied.length, database: where }, text: applied.length ? `Applied ${applied.length} migration(s) to ${where}.` : `${where} is up to date.` };
    }
    const dir = ctx.config.dataDir;
    const dryRun = ctx.args.switches["dry-run"] === true;
    // No deps here (they would migrate on open): the CLI, as the outermost face, picks the clock.
    const r = migrateDataDir(dir, dryRun, systemClock.now());
    if (dryRun) {
      const text = r.pending.length ? `Would apply ${r.pending.length} migration(s) to ${dir}:\n${r.pending.map((t) => `  ${t}`).join("\n")}` : `${dir} is up to date.`;
      return { data: { dryRun: true, pending: r.pending, dataDir: dir }, text };
    }
    const text = r.applied ? `Applied ${r.applied} migration(s) to ${dir}.${r.backup ? `\nBackup taken before migrating: ${r.backup}` : ""}` : `${dir} is up to date.`;
    return { data: { applied: r.applied, backup: r.backup, dataDir: dir }, text };
  },
};

