/**
 * Audit rows record the MCP revision and the W3C `traceparent` of each call (MCP 2026-07-28, SEP-414):
 * built from the request context, written by the batched writer, shown in the JSONL and CSV exports; a
 * malformed traceparent is dropped, never stored.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { exportAudit } from "../../src/audit/query";
import { auditEvents } from "../../src/db/schema";
import { auditRow } from "../../src/mcp/audit-row";
import type { RequestContext } from "../../src/mcp/context";
import { makeApp, type TestApp } from "../helpers";

const TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
let t: TestApp;
afterEach(() => t?.close());

/** The parts of a request context the audit row reads, for one stateless call by an API key. */
function context(protocolVersion: string, traceparent: string | null): RequestContext {
  return {
    deps: t.deps,
    project: { id: "prj_x", storePayloads: true },
    target: { channel: "production" },
    principal: { kind: "apikey", userId: "usr_a", apiKeyId: "key_a" },
    session: null,
    protocolVersion,
    traceparent,
    notes: { status: "ok", tool: "echo", input: { text: "hi" } },
  } as unknown as RequestContext;
}

describe("audit rows carry the revision and the trace context", () => {
  test("revision and well-formed traceparent are stored and exported; a malformed one is dropped", async () => {
    t = await makeApp();
    t.deps.audit.record(auditRow(context("2026-07-28", TRACE), "tools/call", "127.0.0.1", 3));
    t.deps.audit.record(auditRow(context("2026-07-28", "00-not-a-trace\nInjected: yes"), "tools/call", "127.0.0.1", 3));
    t.deps.audit.record(auditRow(context("2025-11-25", null), "tools/list", "127.0.0.1", 1));
    await t.deps.audit.flush();
    const rows = t.deps.db.select({ protocolVersion: auditEvents.protocolVersion, traceparent: auditEvents.traceparent }).from(auditEvents).all();
    expect(rows).toEqual([
      { protocolVersion: "2026-07-28", traceparent: TRACE },
      { protocolVersion: "2026-07-28", traceparent: null },
      { protocolVersion: "2025-11-25", traceparent: null },
    ]);
    expect(JSON.stringify(t.deps.db.select().from(auditEvents).all())).not.toContain("Injected");

    const jsonl = (await new Response(exportAudit(t.deps.db, "prj_x", {}, "jsonl")).text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(jsonl.map((r) => [r.protocolVersion, r.traceparent])).toEqual([["2025-11-25", null], ["2026-07-28", null], ["2026-07-28", TRACE]]);
    const csv = (await new Response(exportAudit(t.deps.db, "prj_x", {}, "csv")).text()).trim().split("\r\n");
    const header = csv[0]!.split(",");
    const at = (line: string, column: string) => line.split(",")[header.indexOf(column)];
    expect(header).toContain("protocolVersion");
    expect(at(csv[3]!, "protocolVersion")).toBe("2026-07-28");
    expect(at(csv[3]!, "traceparent")).toBe(TRACE);
  });
});
