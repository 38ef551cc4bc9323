import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE, SchemaTooNewError, migrate, openDb, type Db } from "../../src/db/client";
import { EMBEDDED, MigrationIntegrityError, pendingMigrations, type Migration } from "../../src/db/migrator";
import { BACKUP_DIR } from "../../src/db/backup";
import { tempDir } from "../helpers";

/** A migrated data dir holding one org, project, tool and membership. */
function populated(): { dir: string; db: Db } {
  const dir = tempDir();
  const db = openDb(dir);
  migrate(db);
  const c = db.$client;
  c.run("INSERT INTO users (id, email, name, password_hash, created_at, password_changed_at) VALUES ('u1', 'a@x.test', 'A', 'h', 1, 1)");
  c.run("INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'acme', 'Acme', 1)");
  c.run("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ('o1', 'u1', 'owner', 1)");
  c.run("INSERT INTO projects (id, org_id, slug, name, created_at, updated_at) VALUES ('p1', 'o1', 'shop', 'Shop', 1, 1)");
  c.run(
    "INSERT INTO tools (id, project_id, name, kind, input_schema, config, created_at, updated_at) VALUES ('t1', 'p1', 'echo', 'script', '{}', '{}', 1, 1)",
  );
  return { dir, db };
}

const later = (tag: string, sql: string[]): Migration => ({ tag, sql, hash: createHash("sha256").update(sql.join()).digest("hex"), folderMillis: EMBEDDED.at(-1)!.folderMillis + 1000 });

/** `projects` as the migrations leave it today (primary key and foreign keys included; later migrations change its columns). */
const projectsDdl = (() => {
  const db = openDb(tempDir());
  migrate(db);
  const { sql } = db.$client.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'projects'").get() as { sql: string };
  db.$client.close();
  return sql;
})();

/** What drizzle-kit generates to change a column of `projects`: a table rebuild. */
const REBUILD_PROJECTS = later("9999_rebuild_projects", [
  "PRAGMA foreign_keys=OFF;",
  projectsDdl.replace("CREATE TABLE `projects`", "CREATE TABLE `__new_projects`"),
  "INSERT INTO `__new_projects` SELECT * FROM `projects`;",
  "DROP TABLE `projects`;",
  "ALTER TABLE `__new_projects` RENAME TO `projects`;",
  "PRAGMA foreign_keys=ON;",
]);

const count = (db: Db, table: string) => (db.$client.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("migrations: one transaction, foreign keys handled the way SQLite documents", () => {
  test("a table rebuild of projects keeps every child row (no cascade through DROP TABLE)", () => {
    const { db } = populated();
    const result = migrate(db, { migrations: [...EMBEDDED, REBUILD_PROJECTS] });
    expect(result.applied).toBe(1);
    expect([count(db, "projects"), count(db, "tools")]).toEqual([1, 1]);
    expect(db.$client.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    db.$client.close();
  });

  test("a failing migration changes nothing, and the automatic backup taken before it is there", () => {
    const { dir, db } = populated();
    const broken = later("9999_broken", ["ALTER TABLE `tools` ADD `extra` text;", "DELETE FROM `tools`;", "THIS IS NOT SQL;"]);
    expect(() => migrate(db, { migrations: [...EMBEDDED, broken], now: Date.UTC(2026, 11, 2, 4, 5, 6) })).toThrow();
    expect(count(db, "tools")).toBe(1);
    expect((db.$client.query("PRAGMA table_info(tools)").all() as { name: string }[]).map((c) => c.name)).not.toContain("extra");
    expect(pendingMigrations(db.$client, [...EMBEDDED, broken]).map((m) => m.tag)).toEqual(["9999_broken"]);
    const backups = readdirSync(join(dir, BACKUP_DIR));
    expect(backups).toEqual(["before-9999_broken-2026-12-02T04-05-06Z.db"]);
    const copy = new Database(join(dir, BACKUP_DIR, backups[0]!), { readonly: true });
    expect(copy.query("SELECT name FROM tools").all()).toEqual([{ name: "echo" }]);
    copy.close();
    db.$client.close();
  });

  test("a migration that would orphan rows is rolled back with a readable error", () => {
    const { db } = populated();
    const orphaning = later("9999_orphan", ["DELETE FROM `projects`;"]);
    expect(() => migrate(db, { migrations: [...EMBEDDED, orphaning] })).toThrow(MigrationIntegrityError);
    expect([count(db, "projects"), count(db, "tools")]).toEqual([1, 1]);
    db.$client.close();
  });

  test("a fresh data dir gets no backup; an up-to-date one neither", () => {
    const dir = tempDir();
    const db = openDb(dir);
    expect(migrate(db).backup).toBeNull();
    expect(migrate(db)).toEqual({ applied: 0, backup: null });
    db.$client.close();
  });

  test("a database from a newer Portico is refused and left byte-identical", () => {
    const { dir, db } = populated();
    db.$client.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 99999999999999)");
    db.$client.close();
    const path = join(dir, DB_FILE);
    const before = createHash("sha256").update(readFileSync(path)).digest("hex");
    const again = openDb(dir);
    expect(() => migrate(again)).toThrow(SchemaTooNewError);
    again.$client.close();
    expect(createHash("sha256").update(readFileSync(path)).digest("hex")).toBe(before);
  });
});
