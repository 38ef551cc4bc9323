/**
 * One schema, two dialects (issue 15; db/SCHEMA.md: "Two dialects"): a fresh SQLite file migrated by the
 * real migrator and a fresh Postgres database migrated by the Postgres migrator have the same tables,
 * columns (name, nullability, type family, default), primary keys, unique and plain indexes, foreign keys
 * (columns, target, on delete/update) and checks — read back from each database, not from the drizzle
 * definitions. The row types are checked too, at compile time (`tsc`), so services cannot tell the engines apart.
 */
import { expect, test } from "bun:test";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { PgTable } from "drizzle-orm/pg-core";
import { is } from "drizzle-orm";
import { migrate, openDb } from "../../src/db/client";
import { openPg } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import { PG_ONLY_TABLES } from "../../src/db/pg/cluster-schema";
import * as pgSchema from "../../src/db/pg/schema";
import * as sqliteSchema from "../../src/db/schema";
import { tempDir } from "../helpers";
import { describePostgres } from "../fixtures/postgres";
import { pgShape, sqliteShape, type SchemaShape } from "./schema-shape";

// Compile-time: every table's select and insert row types are identical in both dialects.
type TableKeys<S> = { [K in keyof S]: S[K] extends { $inferSelect: unknown } ? K : never }[keyof S];
type Rows<S, Kind extends "$inferSelect" | "$inferInsert"> = { [K in TableKeys<S>]: S[K][Kind & keyof S[K]] };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const selectRowsIdentical: Same<Rows<typeof sqliteSchema, "$inferSelect">, Rows<typeof pgSchema, "$inferSelect">> = true;
const insertRowsIdentical: Same<Rows<typeof sqliteSchema, "$inferInsert">, Rows<typeof pgSchema, "$inferInsert">> = true;
const tablesIdentical: Same<TableKeys<typeof sqliteSchema>, TableKeys<typeof pgSchema>> = true;

const tableNames = (schema: Record<string, unknown>, isTable: (v: unknown) => boolean) =>
  Object.entries(schema)
    .filter(([, v]) => isTable(v))
    .map(([k]) => k)
    .sort();

test("both schema modules export the same tables under the same names", () => {
  expect([selectRowsIdentical, insertRowsIdentical, tablesIdentical]).toEqual([true, true, true]);
  const sqlite = tableNames(sqliteSchema, (v) => is(v, SQLiteTable));
  expect(sqlite.length).toBeGreaterThan(20);
  expect(tableNames(pgSchema, (v) => is(v, PgTable))).toEqual(sqlite);
});

/** `table.column` of every SQLite INTEGER column drizzle reads as a boolean. */
function sqliteBooleans(): Set<string> {
  const out = new Set<string>();
  for (const v of Object.values(sqliteSchema)) {
    if (!is(v, SQLiteTable)) continue;
    const config = sqliteTableConfig(v);
    for (const c of config.columns) if (c.columnType === "SQLiteBoolean") out.add(`${config.name}.${c.name}`);
  }
  return out;
}

/**
 * Table by table, so a failure names the table and the part that differs. Postgres has exactly the
 * documented Postgres-only tables besides (src/db/pg/cluster-schema.ts; db/SCHEMA.md: "Two dialects").
 */
function expectSameShape(pg: SchemaShape, sqlite: SchemaShape): void {
  const pgOnly = Object.keys(pg).filter((t) => !(t in sqlite));
  expect(pgOnly.sort()).toEqual([...PG_ONLY_TABLES].sort());
  expect(Object.keys(pg).filter((t) => t in sqlite).sort()).toEqual(Object.keys(sqlite).sort());
  for (const name of Object.keys(sqlite)) expect({ table: name, ...pg[name] }).toEqual({ table: name, ...sqlite[name]! });
}

describePostgres("schema parity", (pg) => {
  test("a migrated SQLite file and a migrated Postgres database have the same tables, columns, keys, indexes, foreign keys and checks", async () => {
    const lite = openDb(tempDir());
    migrate(lite);
    const sqlite = sqliteShape(lite.$client, sqliteBooleans());
    lite.$client.close();

    const db = openPg(pg.url, { max: 1 });
    try {
      await migratePg(db.$client);
      expectSameShape(await pgShape(db.$client), sqlite);
    } finally {
      await db.$client.close();
    }
    // The comparison has something to compare: composite keys, unique and plain indexes, cascades.
    expect(sqlite.tool_secrets!.primaryKey).toEqual(["project_id", "tool_name", "channel", "name"]);
    expect(sqlite.users!.unique).toEqual(["users_email_unique(email)"]);
    expect(sqlite.releases!.indexes).toEqual(["releases_project_idx(project_id,created_at)"]);
    expect(sqlite.releases!.foreignKeys).toContain("(version_id) → versions(id) on delete cascade on update no action");
    expect(sqlite.projects!.columns.store_payloads).toBe("boolean not null default true");
  });
});
