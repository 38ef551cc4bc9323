/**
 * The batched audit writer on Postgres (src/audit/sinks.ts PgAuditSink; docs/architecture.md: Audit event):
 * batches with one flush in flight at a time, a failed batch logged without payloads and kept, and close()
 * draining the queue into the database.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import type { SQL } from "bun";
import { createAuditWriter, AuditWriter, BATCH_ROWS, type AuditRow, type AuditSink } from "../../src/audit/writer";
import { PgAuditSink } from "../../src/audit/sinks";
import type { Db } from "../../src/db/client";
import { openPgStorage } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import { createLogger, type Logger } from "../../src/lib/log";
import { describePostgres } from "../fixtures/postgres";

const row = (i: number, input = `{"i":${i}}`): AuditRow => ({
  projectId: "prj_x", time: 1_800_000_000_000 + i, channel: "production", principal: "apikey", userId: "usr_a", grantId: null, clientId: null,
  apiKeyId: "key_a", sessionId: null, method: "tools/call", tool: "echo", version: 1, input, output: null, status: "ok",
  errorClass: null, error: null, logs: null, durationMs: 1, host: null, ip: "127.0.0.1", protocolVersion: null, traceparent: null,
});

/** The real Postgres sink, watched: the size of every batch and how many were in flight at once. */
class WatchedSink implements AuditSink {
  batches: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly real: PgAuditSink) {}
  async insert(rows: AuditRow[]): Promise<void> {
    this.batches.push(rows.length);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      await this.real.insert(rows);
    } finally {
      this.inFlight--;
    }
  }
}

/** A logger whose lines the test reads. */
function capturedLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: createLogger("error", { write: (line: string) => void lines.push(line) }) };
}

describePostgres("batched audit writer on Postgres", (pg) => {
  let db: Db;
  let sql: SQL;
  beforeAll(async () => {
    db = openPgStorage(pg.url, { max: 4 });
    sql = db.$client as unknown as SQL;
    await migratePg(sql as never);
  });
  beforeEach(async () => {
    await sql.unsafe("DELETE FROM audit_events");
  });
  afterAll(async () => {
    await sql.close();
  });
  const count = async () => Number(((await sql.unsafe("SELECT count(*)::int AS n FROM audit_events")) as Array<{ n: number }>)[0]!.n);

  test("createAuditWriter picks the Postgres sink, whose rows read back with every column", async () => {
    const writer = createAuditWriter(db, createLogger("silent"));
    writer.record({ ...row(1), grantId: "gnt_a", protocolVersion: "2025-06-18", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    await writer.close();
    const [stored] = (await db.select().from(db.t.auditEvents)) as AuditRow[];
    expect(stored).toMatchObject({ ...row(1), grantId: "gnt_a", protocolVersion: "2025-06-18", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    expect(writer.written).toBe(1);
  });

  test("a burst goes in batches, one flush in flight at a time, in order, and loses none", async () => {
    const sink = new WatchedSink(new PgAuditSink(sql));
    const writer = new AuditWriter(sink, createLogger("silent"));
    const n = 5 * BATCH_ROWS + 7;
    for (let i = 0; i < n; i++) writer.record(row(i));
    // The BATCH_ROWS-th row started a flush; the rest waited for it instead of starting flushes of their own.
    expect(sink.batches).toEqual([BATCH_ROWS]);
    await writer.flush();
    expect(await count()).toBe(n);
    expect(sink.maxInFlight).toBe(1);
    expect(sink.batches.reduce((a, b) => a + b, 0)).toBe(n);
    const inputs = (await sql.unsafe("SELECT input FROM audit_events ORDER BY id")) as Array<{ input: string }>;
    expect(inputs.map((r) => JSON.parse(r.input).i)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(writer.written).toBe(n);
    expect(writer.pending).toBe(0);
  });

  test("a row below the batch size waits for the timer", async () => {
    const writer = createAuditWriter(db, createLogger("silent"));
    writer.record(row(1));
    expect(writer.pending).toBe(1);
    for (let i = 0; i < 200 && writer.written === 0; i++) await Bun.sleep(10);
    expect(await count()).toBe(1);
    expect(writer.pending).toBe(0);
  });

  test("a failed batch is logged without its payloads and kept; the next flush writes it", async () => {
    const { log, lines } = capturedLogger();
    const writer = createAuditWriter(db, log);
    // Postgres puts the failing row's values in the error's detail ("Failing row contains …").
    await sql.unsafe("ALTER TABLE audit_events ADD CONSTRAINT refuse_all CHECK (input NOT LIKE '%secret-payload%')");
    try {
      writer.record(row(1, '{"token":"secret-payload"}'));
      writer.record(row(2, '{"token":"secret-payload"}'));
      await writer.flush();
      expect(await count()).toBe(0);
      expect(writer.pending).toBe(2);
      expect(writer.written).toBe(0);
    } finally {
      await sql.unsafe("ALTER TABLE audit_events DROP CONSTRAINT refuse_all");
    }
    await Bun.sleep(0);
    expect(lines.length).toBeGreaterThan(0);
    const logged = lines.join("");
    expect(logged).toContain("audit batch failed");
    expect(logged).toContain("refuse_all");
    expect(logged).not.toContain("secret-payload");
    writer.record(row(3));
    await writer.close();
    expect(await count()).toBe(3);
    expect(writer.written).toBe(3);
  });

  test("close() drains the queue, a flight in progress included, and later rows are written at once", async () => {
    const sink = new WatchedSink(new PgAuditSink(sql));
    const writer = new AuditWriter(sink, createLogger("silent"));
    for (let i = 0; i < BATCH_ROWS + 10; i++) writer.record(row(i));
    expect(sink.inFlight).toBe(1);
    await writer.close();
    expect(await count()).toBe(BATCH_ROWS + 10);
    writer.record(row(9_999));
    await writer.flush();
    expect(await count()).toBe(BATCH_ROWS + 11);
    expect(sink.maxInFlight).toBe(1);
  });
});
