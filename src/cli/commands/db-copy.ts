/** `portico db copy --to postgres://…`: the CLI face of `copyDataDirToPostgres` (src/services/db-copy.ts). */
import { flag, intFlag, type Command } from "../command";

export const dbCopyCommand: Command = {
  spec: {
    name: "db copy",
    summary: "copy the data dir's database into an empty Postgres database",
    flags: {
      to: { description: "the target database, postgres://USER[:PASSWORD]@HOST[:PORT]/DB; must be empty", value: "URL", required: true },
      "batch-size": { description: "rows per INSERT (default 500)", value: "N" },
    },
    details: [
      "Migrates the target, then copies every table in one transaction, parents before children: the",
      "target gets every row or none. A target that holds any Portico row, or another application's tables,",
      "is refused and left as it was. The SQLite side is read as one snapshot; stop the server first, or",
      "writes made after the copy starts stay behind in SQLite. The secret key is not in the database:",
      "start the Postgres instances with the same PORTICO_SECRET_KEY or key file, or the signing keys and",
      "tool secrets cannot be unsealed. Run `portico migrate` first if the data dir has pending migrations.",
      "Example: portico db copy --data-dir ./data --to postgres://portico@db.internal/portico",
    ].join("\n"),
  },
  async run(ctx) {
    const to = flag(ctx, "to");
    const batchSize = intFlag(ctx, "batch-size", 5000);
    // Loaded on use: the Postgres schema and driver are not on the path of any other command.
    const { copyDataDirToPostgres } = await import("../../services/db-copy");
    const r = await copyDataDirToPostgres(ctx.config.dataDir, to, { batchSize, progress: (step) => ctx.io.err(step) });
    const width = Math.max(...Object.keys(r.tables).map((t) => t.length));
    const text = [
      `Copied ${r.rows} row(s) from ${ctx.config.dataDir} into ${r.to}:`,
      ...Object.entries(r.tables).map(([table, n]) => `  ${table.padEnd(width)}  ${n}`),
    ].join("\n");
    return { data: r, text };
  },
};
