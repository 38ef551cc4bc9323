import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { authenticateApiKey } from "../../src/apikeys/keys";
import { DEMO_MANIFEST } from "../../src/cli/demo-manifest";
import { openDb } from "../../src/db/client";
import { findProject } from "../../src/projects/projects";
import { Cli, expectBadFlag } from "./cli";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let cli: Cli;
afterEach(() => cli?.stop());

async function withProject() {
  cli = new Cli();
  await cli.run("user", "create", "--email", "olive@example.com");
  await cli.run("org", "create", "--slug", "acme", "--owner", "olive@example.com");
  return cli.run("project", "create", "--org", "acme", "--slug", "shop", "--name", "Shop", "--public-url", "https://p.example.com", "--json");
}

function manifestFile(content: unknown = DEMO_MANIFEST): string {
  const path = join(cli.dataDir, "manifest.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("portico project create", () => {
  test("creates the project and prints both MCP URLs from the public URL", async () => {
    const r = await withProject();
    expect(r.code).toBe(0);
    expect(r.json.urls).toEqual({ production: "https://p.example.com/acme/shop", draft: "https://p.example.com/acme/shop/draft" });
    expect((await findProject(openDb(cli.dataDir), "acme", "shop"))?.project.name).toBe("Shop");
  });

  test("a reserved slug exits 2 naming --slug; an unknown org exits 1", async () => {
    await withProject();
    expectBadFlag(await cli.run("project", "create", "--org", "acme", "--slug", "oauth"), "slug");
    const r = await cli.run("project", "create", "--org", "nope", "--slug", "shop");
    expect(r.code).toBe(1);
    expect(r.err).toContain('No organization "nope"');
  });
});

describe("portico project import / export", () => {
  test("import replaces the draft and reports the diff; export gives the same manifest back", async () => {
    await withProject();
    const imported = await cli.run("project", "import", "--project", "acme/shop", "--file", manifestFile(), "--json");
    expect(imported.code).toBe(0);
    expect(imported.json.diff.tools.added).toEqual(["word_stats", "delete_note", "show_palette"]);
    const exported = await cli.run("project", "export", "--project", "acme/shop", "--json");
    expect(exported.json.tools.map((t: { name: string }) => t.name)).toEqual(["word_stats", "delete_note", "show_palette"]);
    expect(exported.json.instructions).toBe(DEMO_MANIFEST.instructions!);
    const out = join(cli.dataDir, "out.json");
    expect((await cli.run("project", "export", "--project", "acme/shop", "--out", out)).code).toBe(0);
    expect(JSON.parse(await Bun.file(out).text())).toEqual(exported.json);
  });

  test("bad input exits 2 naming the flag, and leaves the draft untouched", async () => {
    await withProject();
    expectBadFlag(await cli.run("project", "import", "--project", "acme-shop", "--file", manifestFile()), "project");
    expectBadFlag(await cli.run("project", "import", "--project", "acme/shop", "--file", "/no/such/file.json"), "file");
    expectBadFlag(await cli.run("project", "import", "--project", "acme/shop", "--file", manifestFile("{not json")), "file");
    const bad = await cli.run("project", "import", "--project", "acme/shop", "--file", manifestFile({ tools: [{ name: "x", kind: "script" }] }));
    expectBadFlag(bad, "file");
    expect((await cli.run("project", "export", "--project", "acme/shop", "--json")).json.tools).toEqual([]);
    expectBadFlag(await cli.run("project", "export"), "project");
  });
});

describe("portico publish", () => {
  test("publishes the draft as version 1, then 2", async () => {
    await withProject();
    await cli.run("project", "import", "--project", "acme/shop", "--file", manifestFile());
    const first = await cli.run("publish", "--project", "acme/shop", "--note", "first", "--as", "olive@example.com", "--json");
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ project: "acme/shop", version: 1 });
    expect(first.json.diff.tools.added).toHaveLength(3);
    // An unchanged draft is refused (issue 16 #5), so v2 publishes changed instructions.
    await cli.run("project", "import", "--project", "acme/shop", "--file", manifestFile({ ...DEMO_MANIFEST, instructions: "Changed." }));
    expect((await cli.run("publish", "--project", "acme/shop", "--json")).json.version).toBe(2);
    const project = (await findProject(openDb(cli.dataDir), "acme", "shop"))!.project;
    expect(project.productionVersionId).not.toBeNull();
  });

  test("an unknown project exits 1; an unknown author exits 1; no --project exits 2", async () => {
    await withProject();
    expect((await cli.run("publish", "--project", "acme/nope")).code).toBe(1);
    expect((await cli.run("publish", "--project", "acme/shop", "--as", "who@example.com")).code).toBe(1);
    expectBadFlag(await cli.run("publish"), "project");
  });
});

describe("portico apikey create", () => {
  test("--json prints { id, key } and the key authenticates for the project", async () => {
    await withProject();
    const r = await cli.run("apikey", "create", "--project", "acme/shop", "--email", "olive@example.com", "--name", "ci", "--json");
    expect(r.code).toBe(0);
    expect(Object.keys(r.json).sort()).toEqual(["id", "key"]);
    expect(r.json.key).toStartWith("prt_");
    const db = openDb(cli.dataDir);
    const project = (await findProject(db, "acme", "shop"))!.project;
    expect((await authenticateApiKey({ db }, r.json.key, { projectId: project.id, channel: "production" })).apiKeyId).toBe(r.json.id);
  });

  test("a second key with a name already live in the project exits 1 with the service's refusal", async () => {
    await withProject();
    const base = ["apikey", "create", "--project", "acme/shop", "--email", "olive@example.com", "--name", "nightly"];
    expect((await cli.run(...base)).code).toBe(0);
    const again = await cli.run(...base);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already has a key named "nightly"');
  });

  test("a bad channel or expiry exits 2 naming the flag; a non-member exits 1", async () => {
    await withProject();
    const base = ["apikey", "create", "--project", "acme/shop", "--email", "olive@example.com", "--name", "ci"];
    expectBadFlag(await cli.run(...base, "--channel", "staging"), "channel");
    expectBadFlag(await cli.run(...base, "--expires-days", "0"), "expires-days");
    expectBadFlag(await cli.run("apikey", "create", "--project", "acme/shop", "--email", "olive@example.com"), "name");
    await cli.run("user", "create", "--email", "stranger@example.com");
    const r = await cli.run("apikey", "create", "--project", "acme/shop", "--email", "stranger@example.com", "--name", "x");
    expect(r.code).toBe(1);
    expect(r.err).toContain("Only members");
  });

  test("--scopes sets the key's scopes (default MCP use); unknown scopes exit 2, scopes beyond the role exit 1", async () => {
    await withProject();
    const base = ["apikey", "create", "--project", "acme/shop", "--email", "olive@example.com"];
    const db = openDb(cli.dataDir);
    const scopesOf = (id: string) => db.$client.query<{ scopes: string }, [string]>("SELECT scopes FROM api_keys WHERE id = ?").get(id)!.scopes;
    const plain = await cli.run(...base, "--name", "mcp", "--json");
    expect(scopesOf(plain.json.id)).toBe("project:read tools:call");
    const ci = await cli.run(...base, "--name", "ci", "--scopes", "project:read,publish", "--json");
    expect(ci.code).toBe(0);
    expect(scopesOf(ci.json.id)).toBe("project:read publish");
    expectBadFlag(await cli.run(...base, "--name", "x", "--scopes", "root"), "scopes");
    await cli.run("user", "create", "--email", "vic@example.com");
    await cli.run("member", "add", "--org", "acme", "--email", "vic@example.com", "--role", "viewer");
    const beyond = await cli.run("apikey", "create", "--project", "acme/shop", "--email", "vic@example.com", "--name", "v", "--scopes", "project:read settings");
    expect(beyond.code).toBe(1);
    expect(beyond.err).toContain('does not allow "settings"');
  });
});
