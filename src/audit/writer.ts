/**
 * The batched audit writer (docs/architecture.md: Audit event, Performance targets ≥ 20,000 rows/s, zero lost).
 * MCP requests only enqueue a row; a flush hands the whole queue to the engine's sink (src/audit/sinks.ts),
 * every FLUSH_INTERVAL_MS or as soon as BATCH_ROWS are waiting — small batches keep each SQLite flush
 * (which holds the event loop) around a millisecond, for the p99 target. `close()` (a shutdown hook) drains
 * the queue before the database closes, so a graceful stop loses nothing.
 *
 * SQLite's sink is synchronous, so there a flush completes before `flush()` returns, as it always has.
 * Postgres' sink answers later: one flush is in flight at a time (rows recorded meanwhile wait for the next
 * one), and `flush()`/`close()` resolve once what was queued when they were called is written or failed.
 */
import { Database } from "bun:sqlite";
import type { Db } from "../db/client";
import type { Logger } from "../lib/log";
import { PgAuditSink, SqliteAuditSink, type AuditRow, type AuditSink } from "./sinks";

export type { AuditRow, AuditSink } from "./sinks";

export const FLUSH_INTERVAL_MS = 20;
export const BATCH_ROWS = 500;
/** How long a failed batch waits before it is tried again (it stays queued meanwhile). */
const RETRY_MS = 1000;
const DONE: Promise<void> = Promise.resolve();

/** The writer on `db`'s engine (docs/architecture.md: Storage): what `createDeps` builds. */
export function createAuditWriter(db: Db, log: Logger): AuditWriter {
  // openPgStorage's `$client` is Bun's SQL pool at runtime, typed as bun:sqlite's Database (src/db/pg/client.ts).
  return new AuditWriter(db.engine === "postgres" ? new PgAuditSink(db.$client as never) : db.$client, log);
}

export class AuditWriter {
  private queue: AuditRow[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly sink: AuditSink;
  /** The Postgres flush in flight (never two at once); null on SQLite, whose flushes finish synchronously. */
  private inFlight: Promise<void> | null = null;
  /** The flush callers during a flight wait for: one, however many call. */
  private next: Promise<void> | null = null;
  private closed = false;
  /** Rows written since start (exported as a metric). */
  written = 0;

  /** `target`: an SQLite connection (its sink is built here) or a sink (Postgres: `PgAuditSink`). */
  constructor(
    target: Database | AuditSink,
    private readonly log: Logger,
  ) {
    this.sink = target instanceof Database ? new SqliteAuditSink(target) : target;
  }

  /** Queues one row; never blocks the request on disk. After close() rows are written at once. */
  record(row: AuditRow): void {
    this.queue.push(row);
    if (this.closed || this.queue.length >= BATCH_ROWS) {
      // During a Postgres flight the rows wait: its end starts the next flush (one promise per batch, not per row).
      if (!this.inFlight) void this.flush();
    } else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Writes everything queued. A failed batch is logged (without payloads) and kept for the next flush.
   * Never rejects. On SQLite the rows are in the table when this returns; on Postgres when it resolves.
   */
  flush(): Promise<void> {
    // A flush in flight: the rows queued since go in the next one, after it (batches keep their order).
    if (this.inFlight) return (this.next ??= this.inFlight.then(() => ((this.next = null), this.flush())));
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return DONE;
    const rows = this.queue;
    this.queue = [];
    let result: void | Promise<void>;
    try {
      result = this.sink.insert(rows);
    } catch (err) {
      this.failed(rows, err);
      return DONE;
    }
    if (!(result instanceof Promise)) {
      this.written += rows.length;
      return DONE;
    }
    const flight: Promise<void> = result.then(
      () => void (this.written += rows.length),
      (err) => this.failed(rows, err),
    ).finally(() => {
      this.inFlight = null;
      // Rows recorded during the flight: a full batch (or a closed writer) goes now, the rest on the timer.
      if (this.queue.length === 0 || this.timer) return;
      if (this.closed || this.queue.length >= BATCH_ROWS) void this.flush();
      else this.timer = setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    });
    this.inFlight = flight;
    return flight;
  }

  /** Drains the queue; later rows are written immediately (requests finishing during shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private failed(rows: AuditRow[], err: unknown): void {
    // The error only: a driver error may quote the statement's parameters, i.e. tool inputs and outputs.
    this.log.error({ err: describe(err), rows: rows.length }, "audit batch failed; retrying");
    this.queue = rows.concat(this.queue);
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.closed ? null : setTimeout(() => void this.flush(), RETRY_MS);
  }
}

/** An error's class, code and message, without the fields some drivers fill with the failed statement's values. */
function describe(err: unknown): { name: string; code?: string; message: string } {
  if (!(err instanceof Error)) return { name: typeof err, message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, ...(typeof code === "string" ? { code } : {}), message: err.message.slice(0, 500) };
}
