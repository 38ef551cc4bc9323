/**
 * The audit chain on Postgres (issue 18; src/audit/sinks.ts PgAuditSink, src/audit/org-audit.ts): instances
 * writing at once lock the chain heads they extend, so one project's chain never forks; `verify` names an edit
 * made with plain SQL.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { SQL } from "bun";
import { AuditWriter, type AuditRow } from "../../src/audit/writer";
import { PgAuditSink } from "../../src/audit/sinks";
import { recordOrgEvent } from "../../src/audit/org-audit";
import { verifyOrgChain, verifyProjectChain } from "../../src/audit/verify";
import type { Db } from "../../src/db/client";
import { openPgStorage } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import { createLogger } from "../../src/lib/log";
import { describePostgres } from "../fixtures/postgres";

const row = (projectId: string, i: number): AuditRow => ({
  projectId, time: 1_800_000_000_000 + i, channel: "production", principal: "apikey", userId: null, grantId: null, clientId: null,
  apiKeyId: "key_a", sessionId: null, method: "tools/call", tool: "echo", version: 1, input: `{"i":${i}}`, output: `{"o":${i}}`, status: "ok",
  errorClass: null, error: null, logs: null, durationMs: 1, host: null, ip: "127.0.0.1", protocolVersion: null, traceparent: null,
});

describePostgres("audit chain on Postgres", (pg) => {
  let db: Db;
  let sql: SQL;
  beforeAll(async () => {
    db = openPgStorage(pg.url, { max: 6 });
    sql = db.$client as unknown as SQL;
    await migratePg(sql as never);
  });
  afterAll(async () => {
    await sql.close();
  });

  test("three writers (instances) flushing at once extend each project's chain without forking it", async () => {
    const writers = [0, 1, 2].map(() => new AuditWriter(new PgAuditSink(sql), createLogger("silent")));
    for (let i = 0; i < 900; i++) writers[i % 3]!.record(row(i % 2 ? "prj_chain_a" : "prj_chain_b", i));
    await Promise.all(writers.map((w) => w.close()));
    expect(await verifyProjectChain(db, "prj_chain_a")).toMatchObject({ ok: true, rows: 450, head: { seq: 450 } });
    expect(await verifyProjectChain(db, "prj_chain_b")).toMatchObject({ ok: true, rows: 450, head: { seq: 450 } });
  });

  test("attack: an output edited with SQL is named", async () => {
    const [target] = (await sql.unsafe("SELECT id FROM audit_events WHERE project_id = 'prj_chain_a' AND chain_seq = 100")) as { id: string }[];
    await sql.unsafe(`UPDATE audit_events SET output = '{"o":"forged"}' WHERE id = ${Number(target!.id)}`);
    expect((await verifyProjectChain(db, "prj_chain_a")).problem).toMatchObject({ kind: "edited", rowId: Number(target!.id), seq: 100 });
  });

  test("org events recorded at once by several requests stay one chain", async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => recordOrgEvent(db, { orgId: "org_chain", time: 1_800_000_000_000 + i, actorId: null, action: "member.added", targetType: "user", targetId: `usr_${i}`, projectId: null, details: { i } })),
    );
    expect(await verifyOrgChain(db, "org_chain")).toMatchObject({ ok: true, rows: 12, head: { seq: 12 } });
  });
});
