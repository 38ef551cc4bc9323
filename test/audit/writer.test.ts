import { afterEach, describe, expect, test } from "bun:test";
import { auditPayload, capText, PAYLOAD_CAP_BYTES } from "../../src/audit/payload";
import { AuditWriter, type AuditRow, type AuditSink } from "../../src/audit/writer";
import { SqliteAuditSink } from "../../src/audit/sinks";
import { makeApp, type TestApp } from "../helpers";

let t: TestApp;
afterEach(() => t?.close());

const row = (i: number): AuditRow => ({
  projectId: "prj_x", time: Date.now(), channel: "production", principal: "apikey", userId: "usr_a", grantId: null, clientId: null,
  apiKeyId: "key_a", sessionId: null, method: "tools/call", tool: "echo", version: 1, input: `{"i":${i}}`, output: null, status: "ok",
  errorClass: null, error: null, logs: null, durationMs: 1, host: null, ip: "127.0.0.1",
});
const count = (t: TestApp) => (t.deps.db.$client.query("SELECT count(*) AS n FROM audit_events").get() as { n: number }).n;

describe("batched audit writer", () => {
  // Its speed (≥ 20,000 rows/s) is measured by `npm run bench` (test/bench/audit-writer.ts), not here.
  test("writes 50,000 rows in batches and loses none", async () => {
    t = await makeApp();
    const writer = new AuditWriter(t.deps.db.$client, t.deps.log);
    const n = 50_000;
    for (let i = 0; i < n; i++) writer.record(row(i));
    await writer.flush();
    expect(count(t)).toBe(n);
  });

  test("fast mode: rows wait for the timer or the batch size, and close() drains the queue", async () => {
    t = await makeApp();
    const writer = new AuditWriter(t.deps.db.$client, t.deps.log, "fast");
    expect(writer.record(row(1))).toBeUndefined();
    expect(count(t)).toBe(0);
    await Bun.sleep(150);
    expect(count(t)).toBe(1);
    writer.record(row(2));
    writer.record(row(3));
    await writer.close();
    expect(count(t)).toBe(3);
    writer.record(row(4));
    expect(count(t)).toBe(4);
  });

  // Issue 18: group commit. A call's reply waits for this promise, so an acknowledged call always has its row.
  test("durable mode: record() settles only once the row is committed, one batch per event-loop turn, flushed when the loop is idle", async () => {
    t = await makeApp();
    const batches: number[] = [];
    const real = new SqliteAuditSink(t.deps.db.$client);
    const sink: AuditSink = { insert: (rows) => (batches.push(rows.length), real.insert(rows)) };
    const writer = new AuditWriter(sink, t.deps.log, "durable");
    const waits = Array.from({ length: 7 }, (_, i) => writer.record(row(i))!);
    expect(count(t)).toBe(0);
    // Not FLUSH_INTERVAL_MS later: at the end of this turn of the event loop (its setImmediate runs first).
    await new Promise((resolve) => setImmediate(resolve));
    expect(count(t)).toBe(7);
    let seen = -1;
    await Promise.all(waits.map((w) => w.then(() => (seen = Math.max(seen, count(t))))));
    expect(seen).toBe(7);
    expect(batches).toEqual([7]);
  });

  test("durable mode: the calls of a failed batch wait for the retry that writes their rows", async () => {
    t = await makeApp();
    const real = new SqliteAuditSink(t.deps.db.$client);
    let failures = 1;
    const sink: AuditSink = {
      insert: (rows) => {
        if (failures-- > 0) throw new Error("disk I/O error");
        real.insert(rows);
      },
    };
    const writer = new AuditWriter(sink, t.deps.log, "durable");
    let settled = false;
    const wait = writer.record(row(1))!.then(() => (settled = true));
    await Bun.sleep(50);
    expect(settled).toBe(false);
    expect(count(t)).toBe(0);
    await wait; // the retry (after a second) commits it
    expect(count(t)).toBe(1);
    await writer.close();
  });
});

describe("audit payloads", () => {
  test("payloads over 64 KB are cut with a marker saying how much was dropped", () => {
    const big = "é".repeat(PAYLOAD_CAP_BYTES);
    const capped = capText(big);
    expect(Buffer.byteLength(capped)).toBeLessThan(PAYLOAD_CAP_BYTES + 40);
    expect(capped).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(capText("small")).toBe("small");
  });

  test("with payloads off nothing is stored", () => {
    expect(auditPayload({ a: 1 }, true)).toBe('{"a":1}');
    expect(auditPayload({ a: 1 }, false)).toBeNull();
  });
});
