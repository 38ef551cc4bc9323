/**
 * The N-1 rule (docs/architecture.md: "Upgrading instances one by one"): while instances are upgraded one at
 * a time, the previous release keeps running against the new schema. So a migration only expands — new
 * tables, new nullable (or defaulted) columns, new indexes — and a column or table the previous release
 * reads is dropped or renamed only in a later release (expand, then contract), in a migration that says so
 * with a `-- contract:` line naming the release that stopped reading it. Migrations made before the rule
 * was written are grandfathered by name.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const GRANDFATHERED = new Set([
  "db/0001_security_hardening.sql", // rebuilt tool_secrets with the channel in its key, before any release ran beside another
  "db/0006_management_tools_setting.sql", // dropped the two unreleased management_* booleans it replaced
  "db/pg/0005_management_tools_setting.sql", // the same on Postgres
]);
const CONTRACTING = /\bDROP\s+(COLUMN|TABLE)\b|\bRENAME\b|\bALTER\s+COLUMN\b[^;]*\bSET\s+NOT\s+NULL\b/i;

function migrations(): string[] {
  const sql = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".sql")).map((f) => `${dir}/${f}`);
  return [...sql("db"), ...sql("db/pg")];
}

test("migrations only expand the schema, unless they name the release that stopped reading what they drop", () => {
  const offenders = migrations().filter((file) => {
    if (GRANDFATHERED.has(file)) return false;
    const text = readFileSync(join(ROOT, file), "utf8");
    return CONTRACTING.test(text) && !/^--\s*contract:\s*\S/m.test(text);
  });
  expect(offenders).toEqual([]);
});

test("the rule sees a contracting statement (the check is not vacuous)", () => {
  expect(CONTRACTING.test('ALTER TABLE "projects" DROP COLUMN "x";')).toBe(true);
  expect(CONTRACTING.test("ALTER TABLE `grants` RENAME TO `old_grants`;")).toBe(true);
  expect(CONTRACTING.test('ALTER TABLE "grants" ADD COLUMN "note" text;')).toBe(false);
  expect(migrations().length).toBeGreaterThan(10);
});
