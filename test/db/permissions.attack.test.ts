import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE, migrate, openDb } from "../../src/db/client";
import { tempDir } from "../helpers";

const mode = (p: string) => statSync(p).mode & 0o777;

// Issue 11 #14: portico.db, -wal and -shm were created 0644 in a 0755 directory: any local user could copy
// password hashes, sealed keys and the audit log.
describe("data dir permissions", () => {
  test("attack: another local user cannot read the database, its WAL or the data dir", () => {
    const dir = join(tempDir(), "data");
    const db = openDb(dir);
    migrate(db);
    db.$client.run("INSERT INTO settings (key, value) VALUES ('x', 'y')");
    expect(mode(dir)).toBe(0o700);
    for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) expect({ f, mode: mode(join(dir, f)) }).toEqual({ f, mode: 0o600 });
    db.$client.close();
  });

  test("attack: a data dir left world-readable by an older version is tightened at the next start", () => {
    const dir = join(tempDir(), "data");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, DB_FILE), "");
    chmodSync(join(dir, DB_FILE), 0o644);
    const db = openDb(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, DB_FILE))).toBe(0o600);
    db.$client.close();
  });
});
