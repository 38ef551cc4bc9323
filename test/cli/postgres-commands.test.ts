/** The CLI on `--database-url` (issue 15): `migrate` migrates the Postgres database; backup/restore say what to use instead. */
import { afterEach, expect, test } from "bun:test";
import { SQL } from "bun";
import { EMBEDDED_PG } from "../../src/db/pg/migrator";
import { describePostgres } from "../fixtures/postgres";
import { Cli } from "./cli";

let cli: Cli | undefined;
afterEach(() => cli?.stop());

describePostgres("CLI on Postgres", (pg) => {
  test("migrate --dry-run lists every migration, migrate applies them once, a second run has nothing to do", async () => {
    const url = await pg.createDatabase();
    cli = new Cli();
    const dry = await cli.run("migrate", "--database-url", url, "--dry-run", "--json");
    expect(dry.code).toBe(0);
    expect(dry.json.pending).toEqual(EMBEDDED_PG.map((m) => m.tag));
    const done = await cli.run("migrate", "--database-url", url, "--json");
    expect(done.json.applied).toBe(EMBEDDED_PG.length);
    const again = await cli.run("migrate", "--database-url", url);
    expect(again.out).toContain("is up to date");
    const sql = new SQL(url, { max: 1 });
    try {
      expect(((await sql`SELECT to_regclass('grants') IS NOT NULL AS present`) as Array<{ present: boolean }>)[0]!.present).toBe(true);
    } finally {
      await sql.close();
    }
  });

  test("backup and restore refuse a Postgres database with what to use instead; the URL's password is never printed", async () => {
    cli = new Cli();
    const url = pg.url.replace("postgres@", "postgres:hunter2@");
    for (const args of [["backup"], ["restore", "/tmp/nothing.db"]]) {
      const r = await cli.run(...args, "--database-url", url);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("pg_dump");
      expect(r.out + r.err).not.toContain("hunter2");
    }
  });
});
