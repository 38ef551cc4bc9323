/**
 * Where the audit writer's batches go (src/audit/writer.ts), one sink per engine (docs/architecture.md:
 * Storage). Both write the same 24 columns of `audit_events`; the id comes from the database
 * (SQLite AUTOINCREMENT, Postgres identity: db/SCHEMA.md "Two dialects").
 */
import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import type { AuditEvent } from "../db/schema";

/** One audit row as the MCP layer hands it over (id assigned by the database). */
export type AuditRow = Omit<AuditEvent, "id">;

/** Writes one batch, all or nothing: it throws (or rejects) and writes nothing when any row fails. */
export interface AuditSink {
  insert(rows: AuditRow[]): void | Promise<void>;
}

const COLUMNS = [
  ["project_id", "projectId"], ["time", "time"], ["channel", "channel"], ["principal", "principal"],
  ["user_id", "userId"], ["grant_id", "grantId"], ["client_id", "clientId"], ["api_key_id", "apiKeyId"],
  ["session_id", "sessionId"], ["method", "method"], ["tool", "tool"], ["version", "version"],
  ["input", "input"], ["output", "output"], ["status", "status"], ["error_class", "errorClass"],
  ["error", "error"], ["logs", "logs"], ["duration_ms", "durationMs"], ["host", "host"], ["ip", "ip"],
  ["protocol_version", "protocolVersion"], ["traceparent", "traceparent"], ["source", "source"],
] as const satisfies ReadonlyArray<readonly [string, keyof AuditRow]>;
const NAMES = COLUMNS.map((c) => c[0]).join(", ");
/** Values of NOT NULL columns with a default, bound when a row leaves them out (every column is bound explicitly). */
const DEFAULTS: Partial<Record<keyof AuditRow, unknown>> = { source: "mcp" };
const KEYS = COLUMNS.map(([, key]) => key);

/** Rows per multi-row INSERT on SQLite (24 columns × 40 rows stays under SQLite's 32,766 bound parameters). */
const SQLITE_CHUNK = 40;

/**
 * SQLite: prepared multi-row INSERTs in one synchronous transaction — binding and stepping once per
 * SQLITE_CHUNK rows costs far less than once per row (≥ 20,000 rows/s: `npm run bench`).
 */
export class SqliteAuditSink implements AuditSink {
  readonly insert: (rows: AuditRow[]) => void;

  constructor(sqlite: Database) {
    const insert = (rows: number) =>
      sqlite.prepare(`INSERT INTO audit_events (${NAMES}) VALUES ${Array(rows).fill(`(${COLUMNS.map(() => "?").join(", ")})`).join(", ")}`);
    const single = insert(1);
    const chunk = insert(SQLITE_CHUNK);
    const values = new Array<unknown>(KEYS.length * SQLITE_CHUNK);
    const fill = (rows: AuditRow[], from: number, count: number) => {
      for (let r = 0; r < count; r++) {
        const row = rows[from + r]!;
        for (let i = 0; i < KEYS.length; i++) values[r * KEYS.length + i] = row[KEYS[i]!] ?? DEFAULTS[KEYS[i]!] ?? null;
      }
    };
    this.insert = sqlite.transaction((rows: AuditRow[]) => {
      let i = 0;
      for (; i + SQLITE_CHUNK <= rows.length; i += SQLITE_CHUNK) {
        fill(rows, i, SQLITE_CHUNK);
        chunk.run(...(values as never[]));
      }
      for (; i < rows.length; i++) {
        fill(rows, i, 1);
        single.run(...(values.slice(0, KEYS.length) as never[]));
      }
    });
  }
}

/**
 * Rows per Postgres INSERT: a batch is BATCH_ROWS (500) rows, one statement; a queue that grew while
 * Postgres was slow or down is split under the protocol's 65,535 bound parameters (23 × 2,000 = 46,000).
 */
const PG_CHUNK = 2000;

/**
 * Postgres: one multi-row INSERT per batch on Bun's pool (`db.$client` of `openPgStorage`) — one round
 * trip, and one implicit transaction, so a failed batch writes nothing and is retried whole. Larger
 * queues go in one explicit transaction of PG_CHUNK-row statements, all or nothing the same way.
 */
export class PgAuditSink implements AuditSink {
  constructor(private readonly sql: SQL) {}

  async insert(rows: AuditRow[]): Promise<void> {
    if (rows.length <= PG_CHUNK) {
      await statement(this.sql, rows);
      return;
    }
    await this.sql.begin(async (tx) => {
      for (let i = 0; i < rows.length; i += PG_CHUNK) await statement(tx, rows.slice(i, i + PG_CHUNK));
    });
  }
}

function statement(sql: SQL, rows: AuditRow[]): Promise<unknown> {
  const values = new Array<unknown>(rows.length * KEYS.length);
  const tuples = new Array<string>(rows.length);
  let n = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const slots = new Array<string>(KEYS.length);
    for (let i = 0; i < KEYS.length; i++) {
      values[n] = row[KEYS[i]!] ?? DEFAULTS[KEYS[i]!] ?? null;
      slots[i] = `$${++n}`;
    }
    tuples[r] = `(${slots.join(", ")})`;
  }
  return sql.unsafe(`INSERT INTO audit_events (${NAMES}) VALUES ${tuples.join(", ")}`, values);
}
