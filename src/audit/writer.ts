/**
 * The batched audit writer (docs/architecture.md: Audit event, Performance targets ≥ 20,000 rows/s, zero lost).
 * MCP requests only enqueue a row; a flush writes the whole queue in one transaction of multi-row
 * INSERTs, every FLUSH_INTERVAL_MS or as soon as BATCH_ROWS are waiting — small batches keep each
 * flush (which holds the event loop) around a millisecond, for the p99 target. `close()` (a shutdown
 * hook) drains the queue before the database closes, so a graceful stop loses nothing.
 */
import type { Database } from "bun:sqlite";
import type { AuditEvent } from "../db/schema";
import type { Logger } from "../lib/log";

export const FLUSH_INTERVAL_MS = 20;
export const BATCH_ROWS = 500;
/** Rows per multi-row INSERT (24 columns × 40 rows stays under SQLite's 32,766 bound parameters). */
const CHUNK = 40;

/** One audit row as the MCP layer hands it over (id assigned by SQLite). */
export type AuditRow = Omit<AuditEvent, "id">;

const COLUMNS = [
  ["project_id", "projectId"], ["time", "time"], ["channel", "channel"], ["principal", "principal"],
  ["user_id", "userId"], ["grant_id", "grantId"], ["client_id", "clientId"], ["api_key_id", "apiKeyId"],
  ["session_id", "sessionId"], ["method", "method"], ["tool", "tool"], ["version", "version"],
  ["input", "input"], ["output", "output"], ["status", "status"], ["error_class", "errorClass"],
  ["error", "error"], ["logs", "logs"], ["duration_ms", "durationMs"], ["host", "host"], ["ip", "ip"],
  ["protocol_version", "protocolVersion"], ["traceparent", "traceparent"], ["source", "source"],
] as const satisfies ReadonlyArray<readonly [string, keyof AuditRow]>;

/** Values of NOT NULL columns with a default, bound when a row leaves them out (every column is bound explicitly). */
const DEFAULTS: Partial<Record<keyof AuditRow, unknown>> = { source: "mcp" };

export class AuditWriter {
  private queue: AuditRow[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly insertBatch: (rows: AuditRow[]) => void;
  private closed = false;
  /** Rows written since start (exported as a metric). */
  written = 0;

  constructor(
    sqlite: Database,
    private readonly log: Logger,
  ) {
    const insert = (rows: number) =>
      sqlite.prepare(`INSERT INTO audit_events (${COLUMNS.map((c) => c[0]).join(", ")}) VALUES ${Array(rows).fill(`(${COLUMNS.map(() => "?").join(", ")})`).join(", ")}`);
    // Multi-row statements: binding and stepping once per CHUNK rows costs far less than once per row.
    const single = insert(1);
    const chunk = insert(CHUNK);
    const keys = COLUMNS.map(([, key]) => key);
    const values = new Array<unknown>(keys.length * CHUNK);
    const fill = (rows: AuditRow[], from: number, count: number) => {
      for (let r = 0; r < count; r++) {
        const row = rows[from + r]!;
        for (let i = 0; i < keys.length; i++) values[r * keys.length + i] = row[keys[i]!] ?? DEFAULTS[keys[i]!] ?? null;
      }
    };
    this.insertBatch = sqlite.transaction((rows: AuditRow[]) => {
      let i = 0;
      for (; i + CHUNK <= rows.length; i += CHUNK) {
        fill(rows, i, CHUNK);
        chunk.run(...(values as never[]));
      }
      for (; i < rows.length; i++) {
        fill(rows, i, 1);
        single.run(...(values.slice(0, keys.length) as never[]));
      }
    });
  }

  /** Queues one row; never blocks the request on disk. After close() rows are written synchronously. */
  record(row: AuditRow): void {
    this.queue.push(row);
    if (this.closed || this.queue.length >= BATCH_ROWS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Writes everything queued in one transaction. A failed batch is logged (without payloads) and kept. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const rows = this.queue;
    this.queue = [];
    try {
      this.insertBatch(rows);
      this.written += rows.length;
    } catch (err) {
      this.log.error({ err, rows: rows.length }, "audit batch failed; retrying");
      this.queue = rows.concat(this.queue);
      if (!this.closed) this.timer = setTimeout(() => this.flush(), 1000);
    }
  }

  /** Drains the queue; later rows are written immediately (requests finishing during shutdown). */
  close(): void {
    this.closed = true;
    this.flush();
  }
}
