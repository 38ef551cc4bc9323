import { describe, expect, test } from "bun:test";
import { applyMigrations, EMBEDDED } from "../../src/db/migrator";
import { migrate, openDb, type Db } from "../../src/db/client";
import { tempDir } from "../helpers";

/** A data dir before 2025 sessions became rows: migrations 0000–0003 applied, with a project and a grant. */
function beforeSessionRows(): Db {
  const db = openDb(tempDir());
  applyMigrations(db.$client, EMBEDDED.slice(0, 4));
  const c = db.$client;
  c.run("INSERT INTO users (id, email, name, password_hash, created_at, password_changed_at) VALUES ('u1', 'a@x.test', 'A', 'h', 1, 1)");
  c.run("INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'acme', 'Acme', 1)");
  c.run("INSERT INTO projects (id, org_id, slug, name, created_at, updated_at) VALUES ('p1', 'o1', 'shop', 'Shop', 1, 1)");
  c.run(
    `INSERT INTO grants (id, user_id, org_id, project_id, channel, resource, client_id, scopes, session_id, created_at)
     VALUES ('g1', 'u1', 'o1', 'p1', 'production', 'https://portico.test/acme/shop', 'cli_1', 'project:read', 's1', 1)`,
  );
  return db;
}

describe("migration 0004 (mcp_sessions)", () => {
  test("existing rows are kept; the sessions table starts empty and is removed with its project", () => {
    const db = beforeSessionRows();
    const result = migrate(db);
    expect(result.applied).toBe(EMBEDDED.length - 4);
    expect(result.backup).toMatch(/backups\/before-0004_mcp_sessions-.*\.db$/);
    const c = db.$client;
    expect(c.query("SELECT id, project_id FROM grants").all()).toEqual([{ id: "g1", project_id: "p1" }]);
    expect(c.query("SELECT count(*) AS n FROM mcp_sessions").get()).toEqual({ n: 0 });
    c.run(
      `INSERT INTO mcp_sessions (id, credential, org_id, project_id, channel, protocol_version, client_capabilities, log_level, grant_id, created_at, last_seen_at)
       VALUES ('m1', 'grant:g1', 'o1', 'p1', 'production', '2025-11-25', '{}', 'info', 'g1', 1, 1)`,
    );
    expect(c.query("PRAGMA foreign_key_check").all()).toEqual([]);
    c.run("DELETE FROM projects WHERE id = 'p1'");
    expect(c.query("SELECT count(*) AS n FROM mcp_sessions").get()).toEqual({ n: 0 });
    c.close();
  });
});
