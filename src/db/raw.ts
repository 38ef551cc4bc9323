/**
 * Hand-written SQL that both engines run (docs/architecture.md: Storage): the few hot or set-shaped
 * queries where the query builder costs too much (the per-request grant check: ≈4 µs raw vs ≈22 µs) or
 * cannot say it. Write them in the common dialect: `?` placeholders (numbered `$n` for Postgres here),
 * double-quoted camelCase aliases (Postgres folds unquoted ones to lower case), no engine functions.
 * Postgres returns int8 as a string and SQLite returns booleans as 0/1; the columns named in `numbers`
 * and `booleans` are read back as SQLite's schema types give them, so callers see one row shape.
 */
import type { SQL as PgClient } from "bun";
import type { Db } from "./client";

export interface RawQuery<Row> {
  /** SQLite's text (also the statement cache key there). */
  readonly text: string;
  /** The same with `$1…$n` placeholders, for Postgres. */
  readonly pgText: string;
  readonly numbers: ReadonlyArray<keyof Row & string>;
  readonly booleans: ReadonlyArray<keyof Row & string>;
}

/** Declares a query once, at module level; `numbers`/`booleans` name the columns to normalize. */
export function rawQuery<Row>(text: string, columns: { numbers?: ReadonlyArray<keyof Row & string>; booleans?: ReadonlyArray<keyof Row & string> } = {}): RawQuery<Row> {
  let n = 0;
  return { text, pgText: text.replace(/\?/g, () => `$${++n}`), numbers: columns.numbers ?? [], booleans: columns.booleans ?? [] };
}

type Param = string | number | null;

function pg(db: Db): PgClient {
  return db.$client as unknown as PgClient;
}

function normalize<Row>(q: RawQuery<Row>, rows: Record<string, unknown>[], engine: Db["engine"]): Row[] {
  const fields = engine === "postgres" ? q.numbers : q.booleans;
  if (fields.length === 0) return rows as Row[];
  for (const row of rows) {
    for (const f of fields) {
      const v = row[f];
      if (v === null || v === undefined) continue;
      row[f] = engine === "postgres" ? Number(v) : v === 1;
    }
  }
  return rows as Row[];
}

/** Every row. */
export async function rawAll<Row>(db: Db, q: RawQuery<Row>, params: readonly Param[] = []): Promise<Row[]> {
  if (db.engine === "postgres") return normalize(q, [...(await pg(db).unsafe(q.pgText, [...params]))], db.engine);
  return normalize(q, db.$client.query(q.text).all(...(params as never[])) as Record<string, unknown>[], db.engine);
}

/** The first row, or null. */
export async function rawGet<Row>(db: Db, q: RawQuery<Row>, params: readonly Param[] = []): Promise<Row | null> {
  if (db.engine === "postgres") return normalize(q, [...(await pg(db).unsafe(q.pgText, [...params]))], db.engine)[0] ?? null;
  const row = db.$client.query(q.text).get(...(params as never[])) as Record<string, unknown> | null;
  return row ? normalize(q, [row], db.engine)[0]! : null;
}

/** A write; resolves to the number of rows it changed. */
export async function rawRun(db: Db, q: RawQuery<unknown>, params: readonly Param[] = []): Promise<number> {
  if (db.engine === "postgres") return (await pg(db).unsafe(q.pgText, [...params])).count as number;
  return db.$client.query(q.text).run(...(params as never[])).changes;
}

/** `?, ?, …` for an IN list of `n` values (both engines; numbered on Postgres by `rawQuery`). */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}
