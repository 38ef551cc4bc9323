import { describe, expect, test } from "bun:test";
import { applyMigrations, EMBEDDED } from "../../src/db/migrator";
import { migrate, openDb, type Db } from "../../src/db/client";
import { tempDir } from "../helpers";

/** A data dir as issue 14 found it: migrations 0000 and 0001 applied, with clients, a grant, audit and handshake rows. */
function beforeIssue14(): Db {
  const db = openDb(tempDir());
  applyMigrations(db.$client, EMBEDDED.slice(0, 2));
  const c = db.$client;
  c.run("INSERT INTO users (id, email, name, password_hash, created_at, password_changed_at) VALUES ('u1', 'a@x.test', 'A', 'h', 1, 1)");
  c.run("INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'acme', 'Acme', 1)");
  c.run("INSERT INTO projects (id, org_id, slug, name, created_at, updated_at) VALUES ('p1', 'o1', 'shop', 'Shop', 1, 1)");
  c.run(
    `INSERT INTO oauth_clients (id, registration, name, redirect_uris, token_endpoint_auth_method, grant_types, metadata, created_at)
     VALUES ('cli_1', 'dcr', 'mcp-remote', '["http://localhost:3334/oauth/callback"]', 'none', '["authorization_code","refresh_token"]', '{}', 1)`,
  );
  c.run(
    `INSERT INTO grants (id, user_id, org_id, project_id, channel, resource, client_id, scopes, session_id, created_at)
     VALUES ('g1', 'u1', 'o1', 'p1', 'production', 'https://portico.test/acme/shop', 'cli_1', 'project:read', 's1', 1)`,
  );
  c.run(
    `INSERT INTO audit_events (project_id, time, channel, principal, method, status, duration_ms) VALUES ('p1', 1, 'production', 'user', 'tools/list', 'ok', 3)`,
  );
  c.run("INSERT INTO handshake_events (time, project_id, client_id, step, outcome) VALUES (1, 'p1', 'cli_1', 'mcp', 'ok')");
  return db;
}

describe("migration 0002 (application_type, protocol revisions, traceparent)", () => {
  test("existing clients, grants, audit and handshake rows are kept, with the new columns null (nothing is guessed)", () => {
    const db = beforeIssue14();
    const result = migrate(db);
    expect(result.applied).toBe(EMBEDDED.length - 2);
    expect(result.backup).toMatch(/backups\/before-0002_revisions_and_application_type-.*\.db$/);
    const c = db.$client;
    expect(c.query("SELECT id, name, application_type FROM oauth_clients").all()).toEqual([{ id: "cli_1", name: "mcp-remote", application_type: null }]);
    expect(c.query("SELECT id, client_id, protocol_version FROM grants").all()).toEqual([{ id: "g1", client_id: "cli_1", protocol_version: null }]);
    expect(c.query("SELECT method, protocol_version, traceparent FROM audit_events").all()).toEqual([{ method: "tools/list", protocol_version: null, traceparent: null }]);
    expect(c.query("SELECT step, protocol_version FROM handshake_events").all()).toEqual([{ step: "mcp", protocol_version: null }]);
    expect(c.query("PRAGMA foreign_key_check").all()).toEqual([]);
    c.close();
  });
});
