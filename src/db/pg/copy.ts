/**
 * Copying every table of a SQLite database into a migrated, empty Postgres one (issue 15, `portico db copy`):
 * the rows are read through the SQLite schema and written through the Postgres one, so each value arrives
 * as the app reads it (booleans, JSON text, Buffers) — src/db/pg/columns.ts keeps those identical. One
 * SQLite read transaction (a snapshot, even while a server writes) and one Postgres transaction: the target
 * gets every row or none. Parents before children (foreign-key order), in batches by rowid.
 */
import { getTableColumns, getTableName, is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import * as liteSchema from "../schema";
import type { PgDb } from "./client";
import { ADVISORY } from "./migrator";
import * as pgSchema from "./schema";
import { PG_ONLY_TABLES } from "./cluster-schema";

export interface TablePair {
  /** The table's name in both databases. */
  name: string;
  sqlite: SQLiteTable;
  pg: PgTable;
}

/** Every table, parents before the tables whose foreign keys point at them (ties by name, for a stable order). */
export function copyOrder(): TablePair[] {
  const pgTables = new Map<string, PgTable>();
  for (const v of Object.values(pgSchema)) if (is(v, PgTable)) pgTables.set(getTableName(v), v);
  const pairs = new Map<string, TablePair>();
  for (const v of Object.values(liteSchema)) {
    if (!is(v, SQLiteTable)) continue;
    const name = getTableName(v);
    const pg = pgTables.get(name);
    if (!pg) throw new Error(`table ${name} has no Postgres twin in src/db/pg/schema.ts`);
    pairs.set(name, { name, sqlite: v, pg });
  }
  const parents = (pair: TablePair) =>
    getTableConfig(pair.pg)
      .foreignKeys.map((fk) => getTableName(fk.reference().foreignTable))
      .filter((p) => p !== pair.name);
  const ordered: TablePair[] = [];
  const placed = new Set<string>();
  const visit = (pair: TablePair, path: string[]) => {
    if (placed.has(pair.name)) return;
    if (path.includes(pair.name)) throw new Error(`foreign-key cycle: ${[...path, pair.name].join(" → ")}`);
    for (const p of parents(pair).sort()) visit(pairs.get(p)!, [...path, pair.name]);
    placed.add(pair.name);
    ordered.push(pair);
  };
  for (const name of [...pairs.keys()].sort()) visit(pairs.get(name)!, []);
  return ordered;
}

/** The target already holds rows: nothing was written. */
export class TargetNotEmptyError extends Error {
  constructor(readonly tables: Array<{ table: string; rows: number }>) {
    super(`it holds rows in ${tables.map((t) => `${t.table} (${t.rows})`).join(", ")}`);
  }
}

export interface CopyProgress {
  (table: string, copied: number, total: number): void;
}

/** Tables of the target's current schema that are not Portico's (another application's data). */
export async function foreignTables(pg: PgDb): Promise<string[]> {
  const ours = new Set<string>([...copyOrder().map((p) => p.name), ...PG_ONLY_TABLES, "__drizzle_migrations"]);
  const rows = (await pg.execute(sql`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)) as unknown as Array<{ table_name: string }>;
  return rows.map((r) => r.table_name).filter((t) => !ours.has(t)).sort();
}

const count = async (run: { execute: PgDb["execute"] }, table: PgTable) =>
  Number(((await run.execute(sql`SELECT count(*) AS n FROM ${table}`)) as unknown as Array<{ n: string | number }>)[0]!.n);

/**
 * Copies every table of `lite` into `pg` (migrated, every table empty) in one Postgres transaction; returns
 * the row count per table in copy order. Throws TargetNotEmptyError, before writing, when any table holds rows.
 */
export async function copySqliteToPg(lite: Db, pg: PgDb, opts: { batchSize: number; progress: CopyProgress }): Promise<Array<{ table: string; rows: number }>> {
  const pairs = copyOrder();
  // A read transaction: every batch below sees the same snapshot, whatever a running server commits meanwhile.
  lite.$client.run("BEGIN");
  try {
    return await pg.transaction(async (tx) => {
      // Two copies started together into one database: the second waits, then finds the rows and refuses.
      await tx.execute(sql.raw(`SELECT pg_advisory_xact_lock(${ADVISORY.portico}, ${ADVISORY.copy})`));
      const occupied: Array<{ table: string; rows: number }> = [];
      for (const p of pairs) {
        const n = await count(tx, p.pg);
        if (n > 0) occupied.push({ table: p.name, rows: n });
      }
      if (occupied.length > 0) throw new TargetNotEmptyError(occupied);

      const copied: Array<{ table: string; rows: number }> = [];
      for (const p of pairs) {
        const total = (lite.$client.query(`SELECT count(*) AS n FROM "${p.name}"`).get() as { n: number }).n;
        const columns = getTableColumns(p.sqlite);
        let last: number | null = null;
        let done = 0;
        opts.progress(p.name, 0, total);
        while (done < total) {
          const batch = lite
            .select({ ...columns, copyRowid: sql<number>`rowid` })
            .from(p.sqlite)
            .where(last === null ? undefined : sql`rowid > ${last}`)
            .orderBy(sql`rowid`)
            .limit(opts.batchSize)
            .all();
          if (batch.length === 0) break;
          last = batch.at(-1)!.copyRowid;
          const rows = batch.map(({ copyRowid: _, ...row }) => row);
          // The pair's row types are identical (test/db/schema-parity.test.ts); the loop over tables loses that to TypeScript.
          await tx.insert(p.pg).values(rows as never);
          done += rows.length;
          opts.progress(p.name, done, total);
        }
        const landed = await count(tx, p.pg);
        if (landed !== total) throw new Error(`${p.name}: ${total} row(s) read but ${landed} written; nothing was committed`);
        copied.push({ table: p.name, rows: total });
      }
      await resetIdentities(tx);
      return copied;
    });
  } finally {
    lite.$client.run("COMMIT");
  }
}

/**
 * The copied audit rows kept their ids; an identity column's sequence does not notice explicit values, so
 * each one is moved past the largest copied id (else the next insert would collide with a copied row).
 */
async function resetIdentities(tx: { execute: PgDb["execute"] }): Promise<void> {
  const identities = (await tx.execute(
    sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`,
  )) as unknown as Array<{ table_name: string; column_name: string }>;
  for (const { table_name: t, column_name: c } of identities) {
    const q = `SELECT setval(pg_get_serial_sequence('"${t}"', '${c}'), coalesce(max("${c}"), 0) + 1, false) FROM "${t}"`;
    await tx.execute(sql.raw(q));
  }
}
