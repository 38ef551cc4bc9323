/**
 * What the audit chain tests share (test/audit/chain*.test.ts, signed-head.test.ts): a real app whose writer puts
 * calls into a real SQLite file, the CLI on the same data dir, and an attacker's own connection to that file.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { callPayloadHash, callRowHash, GENESIS } from "../../src/audit/chain";
import type { AuditRow } from "../../src/audit/writer";
import { seedWorld } from "../fixtures/world";
import { makeApp, type TestApp } from "../helpers";
import { Cli } from "../cli/cli";

export const DAY = 86_400_000;

export interface Seeded {
  orgSlug: string;
  projectSlug: string;
  orgId: string;
  projectId: string;
  dataDir: string;
}

export class ChainWorld {
  t: TestApp | undefined;
  cli: Cli | undefined;

  /** `rows` calls of the seeded project through the real writer, a second apart, ending now. */
  async seeded(rows = 20): Promise<Seeded> {
    const t = (this.t = await makeApp());
    const { org, project } = await seedWorld(t.deps, { sessions: false });
    const base = Date.now() - rows * 1000;
    for (let i = 0; i < rows; i++) t.deps.audit.record(call(project.id, base + i * 1000, i));
    await t.deps.audit.flush();
    return { orgSlug: org.slug, projectSlug: project.slug, orgId: org.id, projectId: project.id, dataDir: t.deps.config.dataDir };
  }

  /** Stops the app (its writer flushed) and gives the CLI on its data dir. */
  async cliOn(dataDir: string): Promise<Cli> {
    await this.t?.close();
    this.t = undefined;
    return (this.cli = new Cli(dataDir));
  }

  async stop(): Promise<void> {
    await this.t?.close();
    await this.cli?.stop();
    this.t = this.cli = undefined;
  }
}

export function call(projectId: string, time: number, i: number): AuditRow {
  return {
    projectId, time, channel: "production", principal: "apikey", userId: null, grantId: null, clientId: null, apiKeyId: "key_1",
    sessionId: null, method: "tools/call", tool: "echo", version: 1, input: `{"n":${i}}`, output: `{"echo":${i}}`, status: "ok",
    errorClass: null, error: null, logs: null, durationMs: 3, host: "test", ip: "127.0.0.1", protocolVersion: "2025-11-25", traceparent: null,
  };
}

/** Another connection to the data dir's SQLite file: the attacker's. */
export function tamper(dataDir: string, fn: (db: Database) => void): void {
  const db = new Database(join(dataDir, "portico.db"));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

/** The id of the project's n-th chained row (0-based, chain order). */
export function nthRowId(dataDir: string, projectId: string, n: number): number {
  let id = 0;
  tamper(dataDir, (db) => (id = (db.query("SELECT id FROM audit_events WHERE project_id = ? ORDER BY chain_seq LIMIT 1 OFFSET ?").get(projectId, n) as { id: number }).id));
  return id;
}

/**
 * Recomputes every hash of a project's chain and its head from the rows as they are now — what an attacker who
 * knows the algorithm does after editing a row (and what fixtures that move rows in time need).
 */
export function rechain(dataDir: string, projectId: string): void {
  tamper(dataDir, (db) => {
    let prev = GENESIS;
    let seq = 0;
    for (const row of db.query("SELECT * FROM audit_events WHERE project_id = ? ORDER BY chain_seq").all(projectId) as Record<string, unknown>[]) {
      const fields = camel(row);
      seq = fields.chainSeq as number;
      const payloadHash = callPayloadHash(fields as never);
      prev = callRowHash(prev, seq, fields as never, payloadHash);
      db.run("UPDATE audit_events SET hash = ?, payload_hash = ? WHERE id = ?", [prev, payloadHash, fields.id as number]);
    }
    db.run("UPDATE audit_chains SET hash = ?, seq = ? WHERE chain = ?", [prev, seq, `p:${projectId}`]);
  });
}

function camel(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));
}
