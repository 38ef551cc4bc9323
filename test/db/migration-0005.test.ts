import { describe, expect, test } from "bun:test";
import { applyMigrations, EMBEDDED } from "../../src/db/migrator";
import { migrate, openDb, type Db } from "../../src/db/client";
import { tempDir } from "../helpers";

const snapshot = (instructions: string) => JSON.stringify({ instructions, tools: [{ name: "t", kind: "http", url: "https://x.test" }], prompts: [] });

/**
 * A data dir from before instructions were versioned (migrations 0000–0004): "shop" serves v1 after a
 * rollback from v2 and its live text was edited since; "blog" has never published.
 */
function beforeVersionedInstructions(): Db {
  const db = openDb(tempDir());
  applyMigrations(db.$client, EMBEDDED.slice(0, 5));
  const c = db.$client;
  c.run("INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'acme', 'Acme', 1)");
  c.run("INSERT INTO projects (id, org_id, slug, name, instructions, created_at, updated_at) VALUES ('p1', 'o1', 'shop', 'Shop', 'Live text, edited after v2.', 1, 1)");
  c.run("INSERT INTO projects (id, org_id, slug, name, instructions, created_at, updated_at) VALUES ('p2', 'o1', 'blog', 'Blog', 'Never published.', 1, 1)");
  const diff = JSON.stringify({ tools: { added: [], removed: [], changed: [] }, prompts: { added: [], removed: [], changed: [] }, instructionsChanged: false });
  c.query("INSERT INTO versions (id, project_id, number, snapshot, diff, created_at) VALUES ('v1', 'p1', 1, ?, ?, 1)").run(snapshot("Text of v1."), diff);
  c.query("INSERT INTO versions (id, project_id, number, snapshot, diff, created_at) VALUES ('v2', 'p1', 2, ?, ?, 2)").run(snapshot("Text of v2."), diff);
  c.run("UPDATE projects SET production_version_id = 'v1' WHERE id = 'p1'");
  return db;
}

describe("migration 0005 (versioned instructions)", () => {
  test("today's live instructions go into the production version's snapshot only; nothing else moves", () => {
    const db = beforeVersionedInstructions();
    const result = migrate(db);
    expect(result.applied).toBe(EMBEDDED.length - 5);
    const c = db.$client;
    const snap = (id: string) => JSON.parse((c.query("SELECT snapshot FROM versions WHERE id = ?").get(id) as { snapshot: string }).snapshot);
    // Production (v1) now holds the text production served before the upgrade, its tools untouched.
    expect(snap("v1")).toEqual({ instructions: "Live text, edited after v2.", tools: [{ name: "t", kind: "http", url: "https://x.test" }], prompts: [] });
    // A version production does not serve keeps the text it was published with.
    expect(snap("v2").instructions).toBe("Text of v2.");
    // The draft keeps its text; a never-published project is untouched.
    expect(c.query("SELECT id, instructions, production_version_id AS pin FROM projects ORDER BY id").all()).toEqual([
      { id: "p1", instructions: "Live text, edited after v2.", pin: "v1" },
      { id: "p2", instructions: "Never published.", pin: null },
    ]);
    c.close();
  });
});
