/**
 * Tamper evidence (issue 18; src/audit/chain.ts, src/audit/verify.ts, `portico audit verify`): rows written by the
 * real batch writer into a real SQLite file, then edited, deleted or inserted behind Portico's back with another
 * SQLite connection — the way an attacker with the file would — and `audit verify` names the row.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { AuditWriter } from "../../src/audit/writer";
import { recordOrgEvent } from "../../src/audit/org-audit";
import { pruneAudit } from "../../src/audit/retention";
import { verifyChains, verifyProjectChain } from "../../src/audit/verify";
import { updateProject } from "../../src/projects/projects";
import { createLogger } from "../../src/lib/log";
import { call, ChainWorld, DAY, nthRowId, rechain, tamper } from "./chain-world";

const w = new ChainWorld();
afterEach(() => w.stop());

describe("audit chain", () => {
  test("each row of a project's calls is chained in order; an untouched log verifies", async () => {
    const s = await w.seeded();
    const report = await verifyProjectChain(w.t!.deps.db, s.projectId);
    expect(report).toMatchObject({ ok: true, rows: 20, head: { seq: 20 }, problem: null });
    const cli = await w.cliOn(s.dataDir);
    const r = await cli.run("audit", "verify", "--project", `${s.orgSlug}/${s.projectSlug}`);
    expect(r.code).toBe(0);
    expect(r.out).toContain("20 row(s) verified");
  });

  test("attack: one row's output edited in the SQLite file — verify exits 1 and names that row", async () => {
    const s = await w.seeded();
    const cli = await w.cliOn(s.dataDir);
    const id = nthRowId(s.dataDir, s.projectId, 7);
    tamper(s.dataDir, (db) => db.run(`UPDATE audit_events SET output = '{"echo":"nothing happened"}' WHERE id = ?`, [id]));
    const r = await cli.run("audit", "verify", "--json");
    expect(r.code).toBe(1);
    const broken = r.json.chains.find((c: { id: string }) => c.id === s.projectId);
    expect(broken.problem).toMatchObject({ kind: "edited", rowId: id, seq: 8 });
    const text = await cli.run("audit", "verify");
    expect(text.code).toBe(1);
    expect(text.out).toContain(`row ${id} was edited`);
  });

  test("attack: a field outside the payloads edited (status) — named", async () => {
    const s = await w.seeded();
    const id = nthRowId(s.dataDir, s.projectId, 3);
    tamper(s.dataDir, (db) => db.run(`UPDATE audit_events SET status = 'error' WHERE id = ?`, [id]));
    expect((await verifyProjectChain(w.t!.deps.db, s.projectId)).problem).toMatchObject({ kind: "edited", rowId: id });
  });

  test("attack: one row deleted — verify names the gap and the row after it", async () => {
    const s = await w.seeded();
    const gone = nthRowId(s.dataDir, s.projectId, 11);
    const next = nthRowId(s.dataDir, s.projectId, 12);
    tamper(s.dataDir, (db) => db.run(`DELETE FROM audit_events WHERE id = ?`, [gone]));
    const report = await verifyProjectChain(w.t!.deps.db, s.projectId);
    expect(report.problem).toMatchObject({ kind: "deleted", rowId: next, seq: 13 });
    expect(report.problem!.message).toContain("1 row missing before row");
  });

  test("attack: the newest rows deleted (the tail) — verify says rows are missing at the end", async () => {
    const s = await w.seeded();
    tamper(s.dataDir, (db) => db.run(`DELETE FROM audit_events WHERE project_id = ? AND chain_seq > 17`, [s.projectId]));
    const report = await verifyProjectChain(w.t!.deps.db, s.projectId);
    expect(report.problem).toMatchObject({ kind: "deleted", rowId: null, seq: 18 });
    expect(report.problem!.message).toContain("3 rows missing at the end");
  });

  test("attack: a forged row inserted, without a link or in the place of a real one — named", async () => {
    const s = await w.seeded();
    let forged = 0;
    tamper(s.dataDir, (db) => {
      db.run(`INSERT INTO audit_events (project_id, time, channel, principal, method, status, duration_ms) VALUES (?, ?, 'production', 'anonymous', 'tools/call', 'ok', 1)`, [s.projectId, Date.now()]);
      forged = (db.query("SELECT max(id) AS id FROM audit_events").get() as { id: number }).id;
    });
    expect((await verifyProjectChain(w.t!.deps.db, s.projectId)).problem).toMatchObject({ kind: "inserted", rowId: forged });
    // A forged row that copies a real row's chain fields, after the original was moved out of its place.
    tamper(s.dataDir, (db) => {
      db.run(`DELETE FROM audit_events WHERE id = ?`, [forged]);
      db.run(`UPDATE audit_events SET chain_seq = -1 WHERE project_id = ? AND chain_seq = 5`, [s.projectId]);
      db.run(
        `INSERT INTO audit_events (project_id, time, channel, principal, method, tool, status, duration_ms, chain_seq, payload_hash, hash)
         SELECT project_id, time, channel, 'anonymous', method, tool, status, duration_ms, 5, payload_hash, hash FROM audit_events WHERE chain_seq = -1`,
      );
      forged = (db.query("SELECT max(id) AS id FROM audit_events").get() as { id: number }).id;
    });
    expect((await verifyProjectChain(w.t!.deps.db, s.projectId)).problem).toMatchObject({ kind: "edited", rowId: forged, seq: 5 });
  });

  test("payloads erased (retention of payloads, a no-payloads setting) keep the chain intact", async () => {
    const s = await w.seeded();
    tamper(s.dataDir, (db) => db.run(`UPDATE audit_events SET input = NULL, output = NULL WHERE project_id = ? AND chain_seq <= 4`, [s.projectId]));
    expect(await verifyProjectChain(w.t!.deps.db, s.projectId)).toMatchObject({ ok: true, rows: 20, erasedPayloads: 4 });
  });

  test("retention prunes a prefix and records its checkpoint: the rest still verifies, new rows too, and an edit after it is still caught", async () => {
    const s = await w.seeded();
    const now = Date.now();
    // Ten rows 40 days old, ten recent: a 30-day retention prunes exactly the old ten.
    tamper(s.dataDir, (db) => db.run(`UPDATE audit_events SET time = time - ${40 * DAY} WHERE project_id = ? AND chain_seq <= 10`, [s.projectId]));
    // The times were part of the hashes: re-chain the edited fixture the way the writer would have written it.
    rechain(s.dataDir, s.projectId);
    expect((await verifyProjectChain(w.t!.deps.db, s.projectId)).ok).toBe(true);
    await updateProject(w.t!.deps.db, s.projectId, { auditRetentionDays: 30 });
    expect(await pruneAudit(w.t!.deps, now)).toBe(10);
    const report = await verifyProjectChain(w.t!.deps.db, s.projectId);
    expect(report).toMatchObject({ ok: true, rows: 10, checkpoint: { seq: 10 }, head: { seq: 20 } });
    w.t!.deps.audit.record(call(s.projectId, now, 99));
    await w.t!.deps.audit.flush();
    expect(await verifyProjectChain(w.t!.deps.db, s.projectId)).toMatchObject({ ok: true, rows: 11, head: { seq: 21 } });
    const id = nthRowId(s.dataDir, s.projectId, 0);
    tamper(s.dataDir, (db) => db.run(`UPDATE audit_events SET tool = 'other' WHERE id = ?`, [id]));
    expect((await verifyProjectChain(w.t!.deps.db, s.projectId)).problem).toMatchObject({ kind: "edited", rowId: id, seq: 11 });
  });

  test("two writers on one database (a server and a CLI, or two instances) extend one chain without forking it", async () => {
    const s = await w.seeded(0);
    const other = new AuditWriter(new Database(join(s.dataDir, "portico.db")), createLogger("error"));
    for (let i = 0; i < 50; i++) {
      (i % 2 ? w.t!.deps.audit : other).record(call(s.projectId, Date.now(), i));
      if (i % 7 === 0) await Promise.all([w.t!.deps.audit.flush(), other.flush()]);
    }
    await Promise.all([w.t!.deps.audit.flush(), other.close()]);
    expect(await verifyProjectChain(w.t!.deps.db, s.projectId)).toMatchObject({ ok: true, rows: 50, head: { seq: 50 } });
  });

  test("org events are chained per org: an edited event's details are named", async () => {
    const s = await w.seeded(0);
    const before = (await verifyChains(w.t!.deps.db, { orgId: s.orgId }))[0]!;
    expect(before.ok).toBe(true);
    for (let i = 0; i < 5; i++) await recordOrgEvent(w.t!.deps.db, { orgId: s.orgId, time: Date.now(), actorId: null, action: "member.role_changed", targetType: "user", targetId: `usr_${i}`, projectId: null, details: { role: "viewer" } });
    const after = (await verifyChains(w.t!.deps.db, { orgId: s.orgId }))[0]!;
    expect(after).toMatchObject({ ok: true, rows: before.rows + 5 });
    let id = 0;
    tamper(s.dataDir, (db) => {
      id = (db.query("SELECT id FROM org_audit_events WHERE org_id = ? ORDER BY chain_seq DESC LIMIT 1 OFFSET 2").get(s.orgId) as { id: number }).id;
      db.run(`UPDATE org_audit_events SET details = '{"role":"owner"}' WHERE id = ?`, [id]);
    });
    expect((await verifyChains(w.t!.deps.db, { orgId: s.orgId }))[0]!.problem).toMatchObject({ kind: "edited", rowId: id });
  });
});

