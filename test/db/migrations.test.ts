import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { DB_FILE, SchemaTooNewError, migrate, openDb } from "../../src/db/client";
import { tempDir } from "../helpers";

describe("migrations", () => {
  test("a fresh data dir gets every table, with WAL and foreign keys on", () => {
    const dir = tempDir();
    const db = openDb(dir);
    expect(migrate(db).applied).toBeGreaterThan(0);
    const tables = (db.$client.query("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of ["users", "sessions", "orgs", "memberships", "projects", "tools", "versions", "grants", "audit_events"]) {
      expect(tables).toContain(t);
    }
    expect((db.$client.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    expect((db.$client.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
    db.$client.close();
  });

  test("an existing data dir keeps its data and applies nothing twice", () => {
    const dir = tempDir();
    const first = openDb(dir);
    migrate(first);
    first.$client.run("INSERT INTO settings (key, value) VALUES ('kept', 'yes')");
    first.$client.close();
    const second = openDb(dir);
    expect(migrate(second).applied).toBe(0);
    expect(second.$client.query("SELECT value FROM settings WHERE key = 'kept'").get()).toEqual({ value: "yes" });
    second.$client.close();
  });

  test("a database migrated by a newer Portico is refused, untouched", () => {
    const dir = tempDir();
    const db = openDb(dir);
    migrate(db);
    db.$client.close();
    const raw = new Database(join(dir, DB_FILE));
    raw.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 1)");
    raw.close();
    const again = openDb(dir);
    expect(() => migrate(again)).toThrow(SchemaTooNewError);
    again.$client.close();
  });
});
