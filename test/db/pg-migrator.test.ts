/** The Postgres migrator (src/db/pg/migrator.ts): once under concurrency, all or nothing, newer schemas refused. */
import { expect, test } from "bun:test";
import { SchemaTooNewError } from "../../src/db/client";
import type { Migration } from "../../src/db/migrator";
import { openPg, type PgDb } from "../../src/db/pg/client";
import { appliedPgHashes, EMBEDDED_PG, migratePg } from "../../src/db/pg/migrator";
import { describePostgres } from "../fixtures/postgres";

const later = (tag: string, sql: string[]): Migration => ({ tag, hash: `test-${tag}`, folderMillis: EMBEDDED_PG.at(-1)!.folderMillis + 1000, sql });

async function withDb<T>(url: string, fn: (db: PgDb) => Promise<T>, max = 2): Promise<T> {
  const db = openPg(url, { max });
  try {
    return await fn(db);
  } finally {
    await db.$client.close();
  }
}

const tableExists = async (db: PgDb, name: string) => ((await db.$client`SELECT to_regclass(${name}) IS NOT NULL AS present`) as Array<{ present: boolean }>)[0]!.present;

describePostgres("Postgres migrator", (pg) => {
  test("instances starting together migrate once: one applies every migration, the others wait and find nothing pending", async () => {
    const url = await pg.createDatabase();
    const pools = Array.from({ length: 4 }, () => openPg(url, { max: 1 }));
    try {
      const results = await Promise.all(pools.map((db) => migratePg(db.$client)));
      const appliers = results.filter((r) => r.applied.length > 0);
      expect(appliers).toEqual([{ applied: EMBEDDED_PG.map((m) => m.tag) }]);
      expect((await appliedPgHashes(pools[0]!.$client)).map((r) => r.hash)).toEqual(EMBEDDED_PG.map((m) => m.hash));
      expect(await migratePg(pools[1]!.$client)).toEqual({ applied: [] });
    } finally {
      for (const db of pools) await db.$client.close();
    }
  });

  test("a failing migration leaves nothing behind: the tables created before it in the same run are gone too", async () => {
    await withDb(await pg.createDatabase(), async (db) => {
      const broken = [...EMBEDDED_PG, later("9999_broken", ["CREATE TABLE half_done (id integer)", "SELECT no_such_function()"])];
      await expect(migratePg(db.$client, broken)).rejects.toThrow(/no_such_function/);
      expect(await tableExists(db, "users")).toBe(false);
      expect(await tableExists(db, "half_done")).toBe(false);
      expect(await appliedPgHashes(db.$client)).toEqual([]);
    });
  });

  test("a database migrated by a newer Portico is refused and left as it was", async () => {
    await withDb(await pg.createDatabase(), async (db) => {
      await migratePg(db.$client, [...EMBEDDED_PG, later("9999_newer", ["CREATE TABLE from_the_future (id integer)"])]);
      await expect(migratePg(db.$client)).rejects.toBeInstanceOf(SchemaTooNewError);
      expect(await tableExists(db, "from_the_future")).toBe(true);
      expect(await appliedPgHashes(db.$client)).toHaveLength(EMBEDDED_PG.length + 1);
    });
  });
});
