import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { findResetUser } from "../../src/auth/password-resets";
import { findInvite } from "../../src/auth/invites";
import { verifyPassword } from "../../src/auth/passwords";
import { findUserByEmail } from "../../src/auth/users";
import { openDb } from "../../src/db/client";
import { roleOf, findOrg } from "../../src/projects/orgs";
import { Cli, expectBadFlag } from "./cli";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let cli: Cli;
afterEach(() => cli?.stop());

const db = () => openDb(cli.dataDir);

describe("portico user create", () => {
  test("creates a user with the given password, --json prints its id and email", async () => {
    cli = new Cli();
    const r = await cli.run("user", "create", "--email", "Ada@Example.com", "--password", "correct horse battery", "--json");
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ email: "ada@example.com", name: "ada" });
    expect(r.json.password).toBeUndefined();
    const user = (await findUserByEmail(db(), "ada@example.com"))!;
    expect(user.id).toBe(r.json.id);
    expect(await verifyPassword("correct horse battery", user.passwordHash)).toBe(true);
  });

  test("without --password it generates one, prints it, and it works", async () => {
    cli = new Cli();
    const r = await cli.run("user", "create", "--email", "bob@example.com");
    expect(r.code).toBe(0);
    const password = /Password: (\S+)/.exec(r.out)![1]!;
    expect(await verifyPassword(password, (await findUserByEmail(db(), "bob@example.com"))!.passwordHash)).toBe(true);
  });

  test("bad input exits 2 naming the flag", async () => {
    cli = new Cli();
    expectBadFlag(await cli.run("user", "create", "--email", "not-an-email"), "email");
    expectBadFlag(await cli.run("user", "create"), "email");
    expectBadFlag(await cli.run("user", "create", "--email", "a@example.com", "--password", "short"), "password");
    const dup = await cli.run("user", "create", "--email", "a@example.com", "--password", "correct horse battery");
    expect(dup.code).toBe(0);
    const again = await cli.run("user", "create", "--email", "a@example.com", "--password", "correct horse battery");
    expect(again.code).toBe(1);
    expect(again.err).toContain("already exists");
  });
});

describe("portico user reset-password", () => {
  test("prints a working one-time link built from --public-url", async () => {
    cli = new Cli();
    await cli.run("user", "create", "--email", "ada@example.com");
    const r = await cli.run("user", "reset-password", "--email", "ada@example.com", "--public-url", "https://p.example.com", "--json");
    expect(r.code).toBe(0);
    expect(r.json.url).toStartWith("https://p.example.com/reset/");
    expect((await findResetUser(db(), r.json.url.split("/reset/")[1])).email).toBe("ada@example.com");
  });

  test("an unknown email fails with exit 1; a bad --ttl-hours or --public-url exits 2", async () => {
    cli = new Cli();
    const r = await cli.run("user", "reset-password", "--email", "nobody@example.com");
    expect(r.code).toBe(1);
    expect(r.err).toContain("No user with the email nobody@example.com");
    expectBadFlag(await cli.run("user", "reset-password", "--email", "x@example.com", "--ttl-hours", "soon"), "ttl-hours");
    expectBadFlag(await cli.run("user", "reset-password", "--email", "x@example.com", "--public-url", "https://p.example.com/path"), "public-url");
  });
});

describe("portico org create and member add", () => {
  test("creates an org with an owner, adds a member, and prints invite links", async () => {
    cli = new Cli();
    await cli.run("user", "create", "--email", "olive@example.com");
    await cli.run("user", "create", "--email", "dev@example.com");
    const org = await cli.run("org", "create", "--slug", "acme", "--name", "Acme", "--owner", "olive@example.com", "--json");
    expect(org.json).toMatchObject({ slug: "acme", name: "Acme", owner: "olive@example.com" });
    const member = await cli.run("member", "add", "--org", "acme", "--email", "dev@example.com", "--role", "developer");
    expect(member.code).toBe(0);
    const d = db();
    const orgRow = (await findOrg(d, "acme"))!;
    expect(await roleOf(d, orgRow.id, (await findUserByEmail(d, "olive@example.com"))!.id)).toBe("owner");
    expect(await roleOf(d, orgRow.id, (await findUserByEmail(d, "dev@example.com"))!.id)).toBe("developer");
    const invite = await cli.run("member", "add", "--org", "acme", "--role", "viewer", "--invite", "--json");
    expect(invite.code).toBe(0);
    const found = await findInvite(d, invite.json.url.split("/invite/")[1]);
    expect(found?.invite.role).toBe("viewer");
    expect(found?.status).toBe("pending");
  });

  test("reserved, malformed and duplicate slugs, bad roles and unknown users are refused", async () => {
    cli = new Cli();
    expectBadFlag(await cli.run("org", "create", "--slug", "admin"), "slug");
    expectBadFlag(await cli.run("org", "create", "--slug", "Has Spaces"), "slug");
    expect((await cli.run("org", "create", "--slug", "acme")).code).toBe(0);
    const dup = await cli.run("org", "create", "--slug", "acme");
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('An organization with the slug "acme" already exists.');
    expectBadFlag(await cli.run("member", "add", "--org", "acme", "--email", "x@example.com", "--role", "boss"), "role");
    const unknown = await cli.run("member", "add", "--org", "acme", "--email", "x@example.com", "--role", "viewer");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("portico user create --email x@example.com");
    expectBadFlag(await cli.run("member", "add", "--org", "acme", "--role", "viewer", "--invite=maybe"), "invite");
  });
});
