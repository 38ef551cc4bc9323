/**
 * Migration 0006 on SQLite, 0005 on Postgres (issue 16 #3): the two "Management tools for hosts" checkboxes become one setting,
 * off | draft | draft_and_production. A project whose admin had turned either box on keeps its tools on both
 * URLs; every other project gets the new default, draft only. Both dialects.
 */
import { describe, expect, test } from "bun:test";
import { applyMigrations, EMBEDDED } from "../../src/db/migrator";
import { migrate, openDb, type Db } from "../../src/db/client";
import { EMBEDDED_PG, migratePg } from "../../src/db/pg/migrator";
import { openPg } from "../../src/db/pg/client";
import { describePostgres } from "../fixtures/postgres";
import { tempDir } from "../helpers";

const BEFORE = EMBEDDED.findIndex((m) => m.tag === "0006_management_tools_setting");

/** A data dir before this migration (0000–0005), one project per combination of the old checkboxes. */
function beforeIssue16(): Db {
  const db = openDb(tempDir());
  applyMigrations(db.$client, EMBEDDED.slice(0, BEFORE));
  const c = db.$client;
  c.run("INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'acme', 'Acme', 1)");
  for (const [id, pub, set] of [["p00", 0, 0], ["p10", 1, 0], ["p01", 0, 1], ["p11", 1, 1]] as const) {
    c.run(
      `INSERT INTO projects (id, org_id, slug, name, management_publish, management_settings, created_at, updated_at) VALUES (?, 'o1', ?, ?, ?, ?, 1, 1)`,
      [id, id, id, pub, set],
    );
  }
  return db;
}

const EXPECTED = [
  { id: "p00", management_tools: "draft" },
  { id: "p01", management_tools: "draft_and_production" },
  { id: "p10", management_tools: "draft_and_production" },
  { id: "p11", management_tools: "draft_and_production" },
];

describe("migration 0006 (management_tools)", () => {
  test("a project that turned on the publish or settings tools keeps them on both URLs; the others get draft only", () => {
    expect(BEFORE).toBeGreaterThan(0);
    const db = beforeIssue16();
    const result = migrate(db);
    expect(result.applied).toBe(EMBEDDED.length - BEFORE);
    expect(result.backup).toMatch(/backups\/before-0006_management_tools_setting-.*\.db$/);
    const c = db.$client;
    expect(c.query("SELECT id, management_tools FROM projects ORDER BY id").all()).toEqual(EXPECTED);
    const columns = (c.query("PRAGMA table_info(projects)").all() as Array<{ name: string }>).map((r) => r.name);
    expect(columns).not.toContain("management_publish");
    expect(columns).not.toContain("management_settings");
    c.run("INSERT INTO projects (id, org_id, slug, name, created_at, updated_at) VALUES ('pnew', 'o1', 'new', 'New', 1, 1)");
    expect(c.query("SELECT management_tools FROM projects WHERE id = 'pnew'").get()).toEqual({ management_tools: "draft" });
    c.close();
  });
});

describePostgres("migration 0005 on Postgres", (pg) => {
  test("the same mapping as SQLite", async () => {
    const db = openPg(await pg.createDatabase(), { max: 1 });
    try {
      const at = EMBEDDED_PG.findIndex((m) => m.tag === "0005_management_tools_setting");
      expect(at).toBeGreaterThan(0);
      await migratePg(db.$client, EMBEDDED_PG.slice(0, at));
      const sql = db.$client;
      await sql`INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'acme', 'Acme', 1)`;
      for (const [id, pub, set] of [["p00", false, false], ["p10", true, false], ["p01", false, true], ["p11", true, true]] as const) {
        await sql`INSERT INTO projects (id, org_id, slug, name, management_publish, management_settings, created_at, updated_at) VALUES (${id}, 'o1', ${id}, ${id}, ${pub}, ${set}, 1, 1)`;
      }
      await migratePg(sql);
      expect([...(await sql`SELECT id, management_tools FROM projects ORDER BY id`)]).toEqual(EXPECTED);
    } finally {
      await db.$client.close();
    }
  });
});
