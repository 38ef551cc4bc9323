import { describe, expect, test } from "bun:test";
import { applyMigrations, EMBEDDED } from "../../src/db/migrator";
import { migrate, openDb, type Db } from "../../src/db/client";
import { tempDir } from "../helpers";

/** A data dir as the first landing left it: only migration 0000 applied. */
function firstLandingDb(): Db {
  const db = openDb(tempDir());
  applyMigrations(db.$client, [EMBEDDED[0]!]);
  const c = db.$client;
  c.run("INSERT INTO users (id, email, name, password_hash, created_at, password_changed_at) VALUES ('u1', 'a@x.test', 'A', 'h', 1, 1)");
  c.run("INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'acme', 'Acme', 1)");
  c.run("INSERT INTO projects (id, org_id, slug, name, created_at, updated_at) VALUES ('p1', 'o1', 'shop', 'Shop', 1, 1)");
  c.run("INSERT INTO tool_secrets (project_id, tool_name, name, ciphertext, iv, key_id, updated_at) VALUES ('p1', 'echo', 'TOKEN', x'00', x'01', 'k1', 1)");
  for (const [id, channel] of [["k-any", null], ["k-draft", "draft"], ["k-prod", "production"]] as const) {
    c.run("INSERT INTO api_keys (id, project_id, created_by, name, prefix, key_hash, channel, created_at) VALUES (?, 'p1', 'u1', ?, 'prt_', ?, ?, 1)", [id, id, `hash-${id}`, channel]);
  }
  return db;
}

describe("migration 0001 (per-channel secrets, key scopes, sealed refresh successors)", () => {
  test("existing secret values move to production only: copying them to the draft would be the leak", () => {
    const db = firstLandingDb();
    const result = migrate(db);
    expect(result.applied).toBe(EMBEDDED.length - 1);
    expect(result.backup).toMatch(/backups\/before-0001_security_hardening-.*\.db$/);
    const rows = db.$client.query("SELECT project_id, tool_name, name, channel FROM tool_secrets").all();
    expect(rows).toEqual([{ project_id: "p1", tool_name: "echo", name: "TOKEN", channel: "production" }]);
    db.$client.close();
  });

  test("existing API keys get MCP-use scopes only, plus draft for draft-channel keys", () => {
    const db = firstLandingDb();
    migrate(db);
    const rows = db.$client.query("SELECT id, scopes FROM api_keys ORDER BY id").all();
    expect(rows).toEqual([
      { id: "k-any", scopes: "project:read tools:call" },
      { id: "k-draft", scopes: "project:read tools:call draft" },
      { id: "k-prod", scopes: "project:read tools:call" },
    ]);
    expect(db.$client.query("PRAGMA foreign_key_check").all()).toEqual([]);
    db.$client.close();
  });
});
