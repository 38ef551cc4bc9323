/**
 * `portico db copy --to postgres://…` end to end (issue 15): a seeded data dir with a row in every table
 * (an OAuth grant walked through the real endpoints, a published tool called with its token, secrets, audit)
 * lands in an empty Postgres database with every table's rows identical as the app reads them; a non-empty
 * or foreign target is refused and left untouched.
 */
import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { is } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import { createApiKey } from "../../src/apikeys/keys";
import { createInvite } from "../../src/auth/invites";
import { createPasswordReset } from "../../src/auth/password-resets";
import { issueSetupLink } from "../../src/auth/setup-link";
import { recordOrgEvent } from "../../src/audit/org-audit";
import { openDb } from "../../src/db/client";
import { openPg, type PgDb } from "../../src/db/pg/client";
import { copyOrder } from "../../src/db/pg/copy";
import * as pgSchema from "../../src/db/pg/schema";
import * as liteSchema from "../../src/db/schema";
import { savePrompt } from "../../src/projects/draft";
import { makeApp, req } from "../helpers";
import { authorizeParams, authorizePath, echoWithToken, openConsent, pkce, registerClient, seedWorld, signIn } from "../oauth/fixtures";
import { describePostgres } from "../fixtures/postgres";
import { Cli, expectBadFlag } from "./cli";

let cli: Cli | undefined;
afterEach(() => cli?.stop());

/** A data dir holding at least one row in every table, written by the app's own calls; seeded once (copies only read it). */
let seeded: Promise<string> | undefined;
const seededDataDir = async () => await (seeded ??= seed());

async function seed(): Promise<string> {
  const t = await makeApp();
  await issueSetupLink(t.deps.db, t.deps.config.publicUrl); // `settings`: the first-run setup token, before any user exists
  const w = await seedWorld(t.deps);
  const { call, tokens } = await echoWithToken(t, w); // tools, versions, releases, client, auth request, grant, code, refresh token, keys
  expect((await call()).status).toBe(200); // an audit row and handshake steps
  const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: { roots: {} }, clientInfo: { name: "old-host", version: "1" } } };
  const init = await req(t.app, "/acme/shop", {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify(initialize),
  });
  expect(init.headers.get("mcp-session-id")).toBeString(); // `mcp_sessions`: a 2025 client's session
  const { cookie } = await signIn(t.deps, w.users.viewer.email); // an authorization request left on its consent page
  await openConsent(t.app, authorizePath(authorizeParams((await registerClient(t.app)).client_id, pkce().challenge, w.url("shop"))), cookie);
  await createApiKey(t.deps, { projectId: w.shop.id, userId: w.users.admin.id, name: "ci", scopes: ["project:read", "tools:call"] });
  await savePrompt(t.deps, w.shop.id, { name: "sum", description: "Adds", template: "Sum {{x}} — ünïcödé ✓" });
  await t.deps.tools.secrets.setSecret(w.shop.id, "echo", "TOKEN", "s3cret-value", "draft");
  await createInvite(t.deps, { orgId: w.org.id, role: "viewer", createdBy: w.users.owner.id });
  await createPasswordReset(t.deps, { userId: w.users.viewer.id });
  await recordOrgEvent(t.deps.db, { orgId: w.org.id, time: Date.now(), actorId: w.users.owner.id, action: "test.event", targetType: "project", targetId: w.shop.id, projectId: w.shop.id, details: { b: 1, a: [true, null, "x"], "1": "integer-like key" } });
  await t.close(); // flushes the audit queue
  return t.deps.config.dataDir;
}

/** Row count and a SHA-256 over the rows as the app reads them (sorted, Buffers included), per table. */
function digest(rows: unknown[]): { rows: number; sha256: string } {
  const lines = rows.map((r) => JSON.stringify(r)).sort();
  return { rows: rows.length, sha256: createHash("sha256").update(lines.join("\n")).digest("hex") };
}

async function digests(dataDir: string, pg: PgDb) {
  const lite = openDb(dataDir);
  const sqlite: Record<string, Awaited<ReturnType<typeof digest>>> = {};
  const postgres: Record<string, Awaited<ReturnType<typeof digest>>> = {};
  try {
    const pgTables = pgSchema as unknown as Record<string, PgTable>;
    for (const [key, table] of Object.entries(liteSchema)) {
      if (!is(table, SQLiteTable)) continue;
      sqlite[key] = digest(lite.select().from(table).all());
      postgres[key] = digest(await pg.select().from(pgTables[key]!));
    }
  } finally {
    lite.$client.close();
  }
  return { sqlite, postgres };
}

test("tables are copied parents first: every foreign key points at a table copied before it", () => {
  const order = copyOrder().map((p) => p.name);
  expect(order.indexOf("users")).toBeLessThan(order.indexOf("sessions"));
  expect(order.indexOf("projects")).toBeLessThan(order.indexOf("tools"));
  expect(order.indexOf("versions")).toBeLessThan(order.indexOf("releases"));
  expect(order.indexOf("grants")).toBeLessThan(order.indexOf("refresh_tokens"));
  expect(new Set(order).size).toBe(order.length);
});

test("a target that is not a postgres:// URL is bad input naming --to", async () => {
  cli = new Cli();
  expectBadFlag(await cli.run("db", "copy", "--to", "mysql://db/portico"), "to");
  expectBadFlag(await cli.run("db", "copy"), "to");
});

describePostgres("portico db copy", (pg) => {
  test("copies every table of a seeded data dir into an empty Postgres database: same counts, same rows, ids continue", async () => {
    const dataDir = await seededDataDir();
    cli = new Cli(dataDir);
    const r = await cli.run("db", "copy", "--to", pg.url, "--batch-size", "2", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("Migrated");
    expect(r.err).toMatch(/users: 2\/\d+/); // batches of two, with progress
    expect(Object.keys(r.json.tables)).toEqual(copyOrder().map((p) => p.name));
    const empty = Object.entries(r.json.tables as Record<string, number>).filter(([, n]) => n === 0).map(([t]) => t);
    expect(empty).toEqual([]); // the comparison below covers every table

    const db = openPg(pg.url, { max: 1 });
    try {
      const { sqlite, postgres } = await digests(dataDir, db);
      expect(postgres).toEqual(sqlite);
      expect(r.json.rows).toBe(Object.values(sqlite).reduce((n, d) => n + d.rows, 0));
      // JSON columns hold the very text SQLite held (no jsonb key reordering).
      const lite = openDb(dataDir);
      const liteJson = lite.$client.query("SELECT details FROM org_audit_events WHERE action = 'test.event'").get() as { details: string };
      lite.$client.close();
      const [pgJson] = (await db.$client`SELECT details FROM org_audit_events WHERE action = 'test.event'`) as Array<{ details: string }>;
      expect(pgJson!.details).toBe(liteJson.details);
      // The identity sequences moved past the copied ids: the next audit row does not collide.
      const maxId = Math.max(...(await db.select({ id: pgSchema.orgAuditEvents.id }).from(pgSchema.orgAuditEvents)).map((e) => e.id));
      const [next] = await db.insert(pgSchema.orgAuditEvents).values({ orgId: "org_x", time: 1, action: "after.copy" }).returning();
      expect(next!.id).toBe(maxId + 1);
    } finally {
      await db.$client.close();
    }
  });

  test("a target that already holds Portico rows is refused and left exactly as it was", async () => {
    const dataDir = await seededDataDir();
    const target = await pg.createDatabase();
    cli = new Cli(dataDir);
    expect((await cli.run("db", "copy", "--to", target)).code).toBe(0);
    const db = openPg(target, { max: 1 });
    try {
      await db.insert(pgSchema.settings).values({ key: "marker", value: "kept" });
      const before = await digests(dataDir, db);
      const again = await cli.run("db", "copy", "--to", target, "--json");
      expect(again.code).toBe(1);
      expect(again.out).toBe("");
      expect(again.err).toContain("is not empty: it holds rows in");
      expect(again.err).toContain("nothing was written");
      expect((await digests(dataDir, db)).postgres).toEqual(before.postgres);
    } finally {
      await db.$client.close();
    }
  });

  test("a database holding another application's tables is refused before anything is created in it", async () => {
    const target = await pg.createDatabase();
    const db = openPg(target, { max: 1 });
    try {
      await db.$client`CREATE TABLE invoices (id integer PRIMARY KEY)`;
      cli = new Cli(await seededDataDir());
      const r = await cli.run("db", "copy", "--to", target);
      expect(r.code).toBe(1);
      expect(r.err).toContain("tables that are not Portico's (invoices)");
      const tables = (await db.$client`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`) as Array<{ table_name: string }>;
      expect(tables.map((t) => t.table_name)).toEqual(["invoices"]);
    } finally {
      await db.$client.close();
    }
  });
});
