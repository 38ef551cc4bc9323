/**
 * What a migrated database looks like, read from the database itself (not from the drizzle schema), in one
 * engine-neutral shape so the SQLite and Postgres dialects can be compared (test/db/schema-parity.test.ts).
 * SQLite: sqlite_master + pragma table_info / index_list / index_info / foreign_key_list. Postgres:
 * information_schema.columns + pg_index / pg_constraint in the current schema.
 */
import type { Database } from "bun:sqlite";
import type { SQL } from "bun";

export interface TableShape {
  /** column → "family null|not null default X" (family: text, integer, real, blob, boolean). */
  columns: Record<string, string>;
  /** Primary key columns in key order. */
  primaryKey: string[];
  /** Unique indexes and constraints other than the primary key: "name(col,col)". */
  unique: string[];
  /** Non-unique indexes: "name(col,col)". */
  indexes: string[];
  /** "(cols) → table(cols) on delete X on update Y". */
  foreignKeys: string[];
  /** Check constraint names. */
  checks: string[];
}

export type SchemaShape = Record<string, TableShape>;

/** Bookkeeping of the migrators and the engines, not part of the app's schema. */
const IGNORED_TABLES = new Set(["__drizzle_migrations", "sqlite_sequence"]);

/** A default as both engines print it: no `::type` cast, no surrounding parentheses. */
function normalizeDefault(value: string | null, family: string): string {
  if (value === null || value === undefined) return "none";
  let v = String(value).trim();
  while (v.startsWith("(") && v.endsWith(")")) v = v.slice(1, -1).trim();
  v = v.replace(/::[\w\s]+(\[\])?$/, "");
  if (family === "boolean") v = v === "1" ? "true" : v === "0" ? "false" : v.toLowerCase();
  return v;
}

const column = (family: string, notNull: boolean, dflt: string | null) => `${family} ${notNull ? "not null" : "null"} default ${normalizeDefault(dflt, family)}`;

/**
 * The SQLite shape. `booleans` names the INTEGER columns holding 0/1 (`table.column`): SQLite has no
 * boolean type, so which integers are booleans is drizzle's `mode: "boolean"` in src/db/schema.ts.
 */
export function sqliteShape(db: Database, booleans: Set<string>): SchemaShape {
  const shape: SchemaShape = {};
  const tables = db.query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string; sql: string }>;
  for (const { name, sql } of tables) {
    if (IGNORED_TABLES.has(name)) continue;
    const info = db.query(`PRAGMA table_info("${name}")`).all() as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>;
    const columns: Record<string, string> = {};
    for (const c of info) {
      const declared = c.type.toLowerCase();
      const family = booleans.has(`${name}.${c.name}`) ? "boolean" : declared;
      // An INTEGER PRIMARY KEY is the rowid: never null, whatever the declaration says.
      columns[c.name] = column(family, c.notnull === 1 || (c.pk > 0 && declared === "integer"), c.dflt_value);
    }
    const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const unique: string[] = [];
    const indexes: string[] = [];
    for (const idx of db.query(`PRAGMA index_list("${name}")`).all() as Array<{ name: string; unique: number; origin: string }>) {
      if (idx.origin === "pk") continue;
      const cols = (db.query(`PRAGMA index_info("${idx.name}")`).all() as Array<{ seqno: number; name: string }>).sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
      (idx.unique ? unique : indexes).push(`${idx.name}(${cols.join(",")})`);
    }
    const fkRows = db.query(`PRAGMA foreign_key_list("${name}")`).all() as Array<{ id: number; seq: number; table: string; from: string; to: string; on_update: string; on_delete: string }>;
    const byId = new Map<number, typeof fkRows>();
    for (const r of fkRows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    const foreignKeys = [...byId.values()].map((rows) => {
      rows.sort((a, b) => a.seq - b.seq);
      const first = rows[0]!;
      return `(${rows.map((r) => r.from).join(",")}) → ${first.table}(${rows.map((r) => r.to).join(",")}) on delete ${first.on_delete.toLowerCase()} on update ${first.on_update.toLowerCase()}`;
    });
    const checks = [...sql.matchAll(/CONSTRAINT\s+[`"]?(\w+)[`"]?\s+CHECK/gi)].map((m) => m[1]!);
    shape[name] = { columns, primaryKey, unique: unique.sort(), indexes: indexes.sort(), foreignKeys: foreignKeys.sort(), checks: checks.sort() };
  }
  return shape;
}

const PG_FAMILY: Record<string, string> = {
  text: "text",
  "character varying": "text",
  bigint: "integer",
  integer: "integer",
  smallint: "integer",
  boolean: "boolean",
  bytea: "blob",
  real: "real",
  "double precision": "real",
};

const PG_ACTION: Record<string, string> = { a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" };

/** The Postgres shape of the current schema of `sql`'s database. */
export async function pgShape(sql: SQL): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  const cols = (await sql`
    SELECT table_name, column_name, data_type, is_nullable, column_default
    FROM information_schema.columns
    WHERE table_schema = current_schema()
    ORDER BY table_name, ordinal_position`) as Array<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>;
  const table = (name: string) => (shape[name] ??= { columns: {}, primaryKey: [], unique: [], indexes: [], foreignKeys: [], checks: [] });
  for (const c of cols) {
    if (IGNORED_TABLES.has(c.table_name)) continue;
    const family = PG_FAMILY[c.data_type] ?? `unmapped:${c.data_type}`;
    table(c.table_name).columns[c.column_name] = column(family, c.is_nullable === "NO", c.column_default);
  }
  const indexes = (await sql`
    SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
           array_to_json(array_agg(a.attname::text ORDER BY k.ord)) AS cols
    FROM pg_index ix
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE n.nspname = current_schema()
    GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary`) as Array<{ table_name: string; index_name: string; is_unique: boolean; is_primary: boolean; cols: string[] | string }>;
  for (const ix of indexes) {
    if (IGNORED_TABLES.has(ix.table_name)) continue;
    const columns = typeof ix.cols === "string" ? (JSON.parse(ix.cols) as string[]) : ix.cols;
    if (ix.is_primary) table(ix.table_name).primaryKey = columns;
    else (ix.is_unique ? table(ix.table_name).unique : table(ix.table_name).indexes).push(`${ix.index_name}(${columns.join(",")})`);
  }
  const constraints = (await sql`
    SELECT c.conname, c.contype, t.relname AS table_name, f.relname AS target,
           c.confdeltype, c.confupdtype,
           array_to_json(ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.ord)) AS cols,
           array_to_json(ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.ord)) AS target_cols
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_class f ON f.oid = c.confrelid
    WHERE n.nspname = current_schema() AND c.contype IN ('f', 'c')`) as Array<{
    conname: string;
    contype: string;
    table_name: string;
    target: string | null;
    confdeltype: string;
    confupdtype: string;
    cols: string[] | string;
    target_cols: string[] | string;
  }>;
  const list = (v: string[] | string) => (typeof v === "string" ? (JSON.parse(v) as string[]) : v);
  for (const c of constraints) {
    if (IGNORED_TABLES.has(c.table_name)) continue;
    if (c.contype === "c") table(c.table_name).checks.push(c.conname);
    else {
      table(c.table_name).foreignKeys.push(
        `(${list(c.cols).join(",")}) → ${c.target}(${list(c.target_cols).join(",")}) on delete ${PG_ACTION[c.confdeltype]} on update ${PG_ACTION[c.confupdtype]}`,
      );
    }
  }
  for (const t of Object.values(shape)) {
    t.unique.sort();
    t.indexes.sort();
    t.foreignKeys.sort();
    t.checks.sort();
  }
  return shape;
}
