import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE } from "../../src/db/client";
import { tempDir } from "../helpers";
import { Cli, expectBadFlag } from "./cli";

setDefaultTimeout(30_000);

let cli: Cli;
afterEach(() => cli?.stop());

describe("portico backup / restore", () => {
  test("backup writes a consistent copy and the key beside it (0600); restore puts both into an empty dir", async () => {
    cli = new Cli();
    await cli.run("user", "create", "--email", "ada@example.com", "--password", "correct horse battery");
    await cli.run("org", "create", "--slug", "acme", "--owner", "ada@example.com");
    const out = join(tempDir(), "b.db");
    const b = await cli.run("backup", "--out", out, "--json");
    expect(b.code).toBe(0);
    expect(b.json).toMatchObject({ file: out, keyFile: `${out}.key`, warning: null });
    expect(b.err).toContain("Copying");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(`${out}.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${out}.key`, "utf8")).toBe(readFileSync(join(cli.dataDir, "secret.key"), "utf8"));

    const target = new Cli(join(tempDir(), "restored"));
    const r = await target.run("restore", out, "--json");
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ from: out, keyFile: join(target.dataDir, "secret.key"), warning: null });
    const db = new Database(join(target.dataDir, DB_FILE), { readonly: true });
    expect(db.query("SELECT slug FROM orgs").all()).toEqual([{ slug: "acme" }]);
    db.close();
    // A second backup to the same file is refused; so is a restore into a dir that now holds data.
    expect((await cli.run("backup", "--out", out)).code).toBe(1);
    const again = await target.run("restore", out);
    expect(again.code).toBe(1);
    expect(again.err).toContain("is not empty");
  });

  test("with PORTICO_SECRET_KEY the backup says loudly that the key is not included", async () => {
    cli = new Cli();
    await cli.run("user", "create", "--email", "ada@example.com", "--password", "correct horse battery");
    const out = join(tempDir(), "b.db");
    const r = await cli.run("backup", "--out", out, "--json", "--secret-key", Buffer.alloc(32, 7).toString("base64"));
    expect(r.code).toBe(0);
    expect(r.json.keyFile).toBeNull();
    expect(r.err).toContain("WARNING: The secret key comes from PORTICO_SECRET_KEY and is NOT included");
    expect(existsSync(`${out}.key`)).toBe(false);
  });

  test("restore refuses what is not a Portico backup, and needs a file", async () => {
    cli = new Cli(join(tempDir(), "fresh"));
    const junk = join(tempDir(), "junk.db");
    writeFileSync(junk, "not a database at all, just text");
    const r = await cli.run("restore", junk);
    expect(r.code).toBe(2);
    expect(r.err).toContain("not a readable SQLite database");
    expectBadFlag(await cli.run("restore"), "from");
  });

  test("migrate --dry-run lists what would run and changes nothing", async () => {
    cli = new Cli();
    const r = await cli.run("migrate", "--dry-run", "--json");
    expect(r.code).toBe(0);
    expect(r.json.pending).toEqual(["0000_init", "0001_security_hardening", "0002_revisions_and_application_type", "0003_rate_limits", "0004_mcp_sessions", "0005_versioned_instructions", "0006_management_tools_setting", "0007_audit_source", "0008_audit_chain", "0009_handshake_detail"]);
    expect((await cli.run("migrate", "--dry-run", "--json")).json.pending).toHaveLength(r.json.pending.length);
    expect((await cli.run("migrate", "--json")).json).toMatchObject({ applied: r.json.pending.length, backup: null });
    expect((await cli.run("migrate", "--dry-run")).out).toContain("is up to date");
  });
});
