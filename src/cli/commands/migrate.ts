/** `portico migrate`: apply the embedded schema migrations to the data dir and report what was done. */
import { migrate, openDb } from "../../db/client";
import type { Command } from "../command";

export const migrateCommand: Command = {
  spec: {
    name: "migrate",
    summary: "apply pending database migrations (the server also does this at start)",
    flags: {},
    details: "Refuses a database written by a newer Portico.",
  },
  async run(ctx) {
    const db = openDb(ctx.config.dataDir);
    try {
      const { applied } = migrate(db);
      return { data: { applied, dataDir: ctx.config.dataDir }, text: applied ? `Applied ${applied} migration(s) to ${ctx.config.dataDir}.` : `${ctx.config.dataDir} is up to date.` };
    } finally {
      db.$client.close();
    }
  },
};
