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
 *
 * Durability (issue 18, `--audit-durability`): `durable` (the default) is group commit — `record()` returns a
 * promise that settles once the batch holding the row has committed, and the MCP layer releases the call's
 * response only then, so no acknowledged call goes unaudited even under `kill -9`. The queue is flushed as
 * soon as the event loop is idle (`setImmediate`: every row recorded in this turn goes in one batch) or the
 * batch is full, so a response waits about one flush, not FLUSH_INTERVAL_MS. `fast` is the old behaviour:
 * `record()` returns nothing and rows wait up to FLUSH_INTERVAL_MS, so a crash loses the last window.
 */
import { Database } from "bun:sqlite";
import type { Db } from "../db/client";
import type { ChangeFeed } from "../lib/change-feed";
import type { Logger } from "../lib/log";
import { PgAuditSink, SqliteAuditSink, type AuditRow, type AuditSink } from "./sinks";

export type { AuditRow, AuditSink } from "./sinks";

export const FLUSH_INTERVAL_MS = 20;
export const AUDIT_DURABILITY = ["durable", "fast"] as const;
/**
 * How long a durable call's reply waits for its row once the row's batch has failed. A batch that keeps failing
 * (a full disk) would otherwise hold every waiting reply; past this its waiters learn the row is not committed
 * (the call is answered with an error instead — not acknowledged), and the row is still written when storage
 * comes back. One timer per failed batch, started on the failure: the calls of healthy batches pay nothing.
 */
export const DURABLE_WAIT_MS = 5_000;
export type AuditDurability = (typeof AUDIT_DURABILITY)[number];
export const BATCH_ROWS = 500;
/** How long a failed batch waits before it is tried again (it stays queued meanwhile). */
const RETRY_MS = 1000;
const DONE: Promise<void> = Promise.resolve();

/**
 * The writer on `db`'s engine (docs/architecture.md: Storage): what `createDeps` builds. On SQLite its commits go
 * through `changes.quietly`, so the read caches survive them (issue 19).
 */
export function createAuditWriter(db: Db, log: Logger, durability: AuditDurability = "durable", changes?: Pick<ChangeFeed, "quietly">): AuditWriter {
  // openPgStorage's `$client` is Bun's SQL pool at runtime, typed as bun:sqlite's Database (src/db/pg/client.ts).
  return new AuditWriter(db.engine === "postgres" ? new PgAuditSink(db.$client as never) : new SqliteAuditSink(db.$client, changes), log, durability);
}

/** One batch's waiters (durable mode): true when the batch commits, false when DURABLE_WAIT_MS after it failed it still has not. */
interface Commit {
  promise: Promise<boolean>;
  resolve(committed: boolean): void;
  /** The give-up timer, started by the batch's first failure. */
  giveUp?: ReturnType<typeof setTimeout>;
}

function commit(): Commit {
  let resolve!: (committed: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

export class AuditWriter {
  private queue: AuditRow[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Durable mode: what the rows in `queue` wait for; handed to the flush that takes them. */
  private waiting: Commit | null = null;
  /** Durable mode: the flush scheduled for the end of this event-loop turn. */
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private readonly sink: AuditSink;
  /** The Postgres flush in flight (never two at once); null on SQLite, whose flushes finish synchronously. */
  private inFlight: Promise<void> | null = null;
  /** The flush callers during a flight wait for: one, however many call. */
  private next: Promise<void> | null = null;
  private closed = false;
  /** Rows written since start (exported as a metric). */
  written = 0;
  /**
   * False from a failed batch until a batch commits again (a full disk, Postgres down). In durable mode the MCP
   * guard refuses requests meanwhile (503): a call whose row cannot be written must not run (issue 18).
   */
  healthy = true;

  /** `target`: an SQLite connection (its sink is built here) or a sink (Postgres: `PgAuditSink`). */
  constructor(
    target: Database | AuditSink,
    private readonly log: Logger,
    readonly durability: AuditDurability = "durable",
  ) {
    this.sink = target instanceof Database ? new SqliteAuditSink(target) : target;
  }

  /**
   * Queues one row; never blocks the request on disk. After close() rows are written at once. In durable mode
   * returns a promise that settles with true when the row's batch has committed (a failed batch is retried, and
   * its waiters wait for the retry), or false when it failed and DURABLE_WAIT_MS passed without a commit; it
   * never rejects. In fast mode returns nothing.
   */
  record(row: AuditRow): Promise<boolean> | undefined {
    this.queue.push(row);
    const durable = this.durability === "durable";
    const done = durable ? (this.waiting ??= commit()).promise : undefined;
    if (this.closed || this.queue.length >= BATCH_ROWS) {
      // During a Postgres flight the rows wait: its end starts the next flush (one promise per batch, not per row).
      if (!this.inFlight) void this.flush();
    } else if (durable) this.immediate ??= setImmediate(() => ((this.immediate = null), void this.flush()));
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    return done;
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
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
    if (this.queue.length === 0) return DONE;
    const rows = this.queue;
    const waiting = this.waiting;
    this.queue = [];
    this.waiting = null;
    let result: void | Promise<void>;
    try {
      result = this.sink.insert(rows);
    } catch (err) {
      this.failed(rows, err, waiting);
      return DONE;
    }
    if (!(result instanceof Promise)) {
      this.written += rows.length;
      this.healthy = true;
      settle(waiting, true);
      return DONE;
    }
    const flight: Promise<void> = result.then(
      () => {
        this.written += rows.length;
        this.healthy = true;
        settle(waiting, true);
      },
      (err) => this.failed(rows, err, waiting),
    ).finally(() => {
      this.inFlight = null;
      // Rows recorded during the flight: a full batch, a closed writer or a waiting call goes now, the rest on the timer.
      if (this.queue.length === 0 || this.timer) return;
      if (this.closed || this.queue.length >= BATCH_ROWS || this.waiting) void this.flush();
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

  private failed(rows: AuditRow[], err: unknown, waiting: Commit | null): void {
    // The error only: a driver error may quote the statement's parameters, i.e. tool inputs and outputs.
    this.log.error({ err: describe(err), rows: rows.length }, "audit batch failed; retrying");
    this.healthy = false;
    this.queue = rows.concat(this.queue);
    // The failed batch's calls wait for the retry that writes their rows — for DURABLE_WAIT_MS at most.
    if (waiting) {
      waiting.giveUp ??= setTimeout(() => waiting.resolve(false), DURABLE_WAIT_MS);
      if (this.waiting) void this.waiting.promise.then((committed) => committed && settle(waiting, true));
      else this.waiting = waiting;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.closed ? null : setTimeout(() => void this.flush(), RETRY_MS);
  }
}

/** Settles a batch's waiters (a later settle is a no-op) and stops its give-up timer. */
function settle(waiting: Commit | null, committed: boolean): void {
  if (!waiting) return;
  if (waiting.giveUp) clearTimeout(waiting.giveUp);
  waiting.resolve(committed);
}

/** An error's class, code and message, without the fields some drivers fill with the failed statement's values. */
function describe(err: unknown): { name: string; code?: string; message: string } {
  if (!(err instanceof Error)) return { name: typeof err, message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, ...(typeof code === "string" ? { code } : {}), message: err.message.slice(0, 500) };
}
