/**
 * The audit writer alone, in this process, on a fresh SQLite file (WAL, as the server opens it): rows are
 * handed over in small bursts with the event loop turning between them, as MCP requests do; the clock
 * stops when close() has drained the queue. Zero lost = every row handed over is in the table.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb } from "../../src/db/client";
import { AuditWriter, BATCH_ROWS, type AuditRow } from "../../src/audit/writer";
import { createLogger } from "../../src/lib/log";

export interface AuditWriterResult {
  rps: number;
  rows: number;
  written: number;
  lost: number;
  /** Per flush (one transaction of up to `batchRows` rows), in ms: the time the event loop is held. */
  flushP50: number;
  flushP99: number;
  batchRows: number;
}

/** Times every flush; the writer calls `this.flush()`, so the override sees timer and size triggered ones. */
class TimedWriter extends AuditWriter {
  flushes: number[] = [];
  override flush(): Promise<void> {
    // SQLite's flush is synchronous: the time until it returns is the time the event loop is held.
    const t = performance.now();
    const done = super.flush();
    this.flushes.push(performance.now() - t);
    return done;
  }
}

function sampleRow(i: number): AuditRow {
  return {
    projectId: "prj_bench", time: Date.now(), channel: "production", principal: "user", userId: "usr_bench",
    grantId: "gnt_bench", clientId: "cli_bench", apiKeyId: null, sessionId: null, method: "tools/call", tool: "show",
    version: 1, input: JSON.stringify({ text: `call ${i}` }), output: JSON.stringify({ content: [{ type: "text", text: `show: call ${i}` }], structuredContent: { text: `call ${i}` } }),
    status: "ok", errorClass: null, error: null, logs: null, durationMs: 1, host: "bench 1.0.0", ip: "127.0.0.1",
  };
}

/** Hands `rows` rows to the writer (bounded also by `maxSeconds`) and measures until they are on disk. */
export async function auditWriterBench(rows = 200_000, maxSeconds = 30): Promise<AuditWriterResult> {
  const dir = mkdtempSync(join(tmpdir(), "portico-bench-audit-"));
  const db = openDb(dir);
  migrate(db);
  const writer = new TimedWriter(db.$client, createLogger("silent"));
  const pool = Array.from({ length: 1000 }, (_, i) => sampleRow(i));
  const BURST = 100;
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  let handed = 0;
  while (handed < rows && performance.now() < deadline) {
    for (let i = 0; i < BURST && handed < rows; i++, handed++) writer.record(pool[handed % pool.length]!);
    await new Promise((r) => setImmediate(r));
  }
  await writer.close();
  const seconds = (performance.now() - started) / 1000;
  const stored = (db.$client.query("SELECT count(*) AS n FROM audit_events").get() as { n: number }).n;
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
  const flushes = writer.flushes.filter((ms) => ms > 0.01).sort((a, b) => a - b);
  const at = (p: number) => flushes[Math.min(flushes.length - 1, Math.floor((p / 100) * flushes.length))] ?? 0;
  return { rps: handed / seconds, rows: handed, written: stored, lost: handed - stored, flushP50: at(50), flushP99: at(99), batchRows: BATCH_ROWS };
}
