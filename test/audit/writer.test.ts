import { afterEach, describe, expect, test } from "bun:test";
import { auditPayload, capText, PAYLOAD_CAP_BYTES } from "../../src/audit/payload";
import { AuditWriter, type AuditRow } from "../../src/audit/writer";
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

  test("rows wait for the timer or the batch size, and close() drains the queue", async () => {
    t = await makeApp();
    const writer = new AuditWriter(t.deps.db.$client, t.deps.log);
    writer.record(row(1));
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
