import { afterEach, describe, expect, test } from "bun:test";
import { exportAudit, queryAudit } from "../../src/audit/query";
import { pruneAudit } from "../../src/audit/retention";
import type { AuditRow } from "../../src/audit/writer";
import { updateProject } from "../../src/projects/projects";
import { seedWorld } from "../fixtures/world";
import { makeApp, type TestApp } from "../helpers";

let t: TestApp;
afterEach(() => t?.close());

const DAY = 86_400_000;

async function seeded() {
  t = await makeApp();
  const { project: p } = await seedWorld(t.deps, { sessions: false });
  const base: AuditRow = {
    projectId: p.id, time: Date.now(), channel: "production", principal: "user", userId: "usr_a", grantId: "gr_1", clientId: "cli_1",
    apiKeyId: null, sessionId: "s1", method: "tools/call", tool: "echo", version: 1, input: '{"text":"=1+1"}', output: '{"ok":true}',
    status: "ok", errorClass: null, error: "=HYPERLINK(1)", logs: null, durationMs: 2, host: "claude-ai 1.0", ip: "10.0.0.1",
  };
  for (let i = 0; i < 30; i++) {
    t.deps.audit.record({
      ...base,
      time: base.time - i * 1000,
      tool: i % 3 === 0 ? "other" : "echo",
      status: i % 5 === 0 ? "error" : "ok",
      channel: i % 2 ? "draft" : "production",
      host: i < 10 ? "claude-ai 1.0" : "chatgpt 2",
      userId: i < 20 ? "usr_a" : "usr_b",
    });
  }
  await t.deps.audit.flush();
  return p.id;
}

describe("audit queries", () => {
  test("filters combine and cursor pages walk every row exactly once, newest first", async () => {
    const projectId = await seeded();
    expect((await queryAudit(t.deps.db, projectId, { tool: "other" })).events).toHaveLength(10);
    expect((await queryAudit(t.deps.db, projectId, { status: "error", channel: "production" })).events).toHaveLength(3);
    expect((await queryAudit(t.deps.db, projectId, { host: "chatgpt" })).events).toHaveLength(20);
    expect((await queryAudit(t.deps.db, projectId, { userId: "usr_b", clientId: "cli_1" })).events).toHaveLength(10);
    const now = Date.now();
    expect((await queryAudit(t.deps.db, projectId, { from: now - 4_500, to: now })).events.length).toBeGreaterThanOrEqual(4);
    const seen: number[] = [];
    let cursor: number | undefined;
    do {
      const page = await queryAudit(t.deps.db, projectId, { limit: 7, cursor });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    await expect(queryAudit(t.deps.db, projectId, { status: "maybe" as "ok" })).rejects.toThrow(/status/);
  });

  test("exports JSONL and CSV (formula-safe) with every matching row", async () => {
    const projectId = await seeded();
    const jsonl = (await new Response(exportAudit(t.deps.db, projectId, { tool: "echo" }, "jsonl")).text()).trim().split("\n");
    expect(jsonl).toHaveLength(20);
    expect(JSON.parse(jsonl[0]!)).toMatchObject({ tool: "echo", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const csv = (await new Response(exportAudit(t.deps.db, projectId, {}, "csv")).text()).trim().split("\r\n");
    expect(csv).toHaveLength(31);
    expect(csv[0]).toStartWith("id,time,channel,principal");
    expect(csv[1]).toContain(`,'=HYPERLINK(1),`);
    expect(csv[1]).toContain(`"{""text"":""=1+1""}"`);
  });

  test("retention prunes rows older than the project's setting", async () => {
    const projectId = await seeded();
    await updateProject(t.deps.db, projectId, { auditRetentionDays: 1 });
    expect(await pruneAudit(t.deps, Date.now() + 2 * DAY)).toBe(30);
    expect((await queryAudit(t.deps.db, projectId)).events).toHaveLength(0);
  });
});
