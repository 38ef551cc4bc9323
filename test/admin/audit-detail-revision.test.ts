/** Project → Audit → one event: the MCP revision and the trace context of the call are shown. */
import { describe, expect, test } from "bun:test";
import { auditEvents } from "../../src/db/schema";
import { auditRow } from "../../src/mcp/audit-row";
import type { RequestContext } from "../../src/mcp/context";
import { req } from "../helpers";
import { seededApp } from "./fixtures";

const w = seededApp();
const TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("audit event page", () => {
  test("shows the MCP revision and the traceparent of the call", async () => {
    const ctx = {
      deps: w.deps,
      project: { id: w.project.id, storePayloads: true },
      target: { channel: "production" },
      principal: { kind: "apikey", userId: w.users.developer.id, apiKeyId: "key_a" },
      session: null,
      protocolVersion: "2026-07-28",
      traceparent: TRACE,
      notes: { status: "ok", tool: "echo" },
    } as unknown as RequestContext;
    w.deps.audit.record(auditRow(ctx, "tools/call", "127.0.0.1", 2));
    await w.deps.audit.flush();
    const id = w.deps.db.select({ id: auditEvents.id }).from(auditEvents).get()!.id;
    const page = await (await req(w.app, `/admin/acme/shop/audit/${id}`, { headers: { cookie: w.members.developer.cookie } })).text();
    expect(page).toContain("<dt>MCP revision</dt><dd>2026-07-28</dd>");
    expect(page).toContain(TRACE);
  });
});
