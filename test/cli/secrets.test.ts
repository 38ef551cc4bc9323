import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { openDb } from "../../src/db/client";
import { findProject } from "../../src/projects/projects";
import { SecretStore } from "../../src/tools/secrets";
import { Cli, expectBadFlag } from "./cli";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let cli: Cli;
afterEach(() => cli?.stop());

const MANIFEST = {
  tools: [
    { name: "lookup", kind: "script", script: "export default async (input, env) => env.secrets.API_KEY.length", secrets: ["API_KEY"] },
    { name: "other", kind: "script", script: "export default async () => 1", secrets: ["API_KEY", "TOKEN"] },
  ],
};

function file(name: string, content: unknown): string {
  const path = join(cli.dataDir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

async function store(secretKey?: string) {
  const db = openDb(cli.dataDir);
  const project = (await findProject(db, "acme", "shop"))!.project;
  return { secrets: new SecretStore(db, loadConfig({ dataDir: cli.dataDir, ...(secretKey ? { secretKey } : {}) }, {})), projectId: project.id };
}

async function withProject() {
  cli = new Cli();
  await cli.run("org", "create", "--slug", "acme");
  await cli.run("project", "create", "--org", "acme", "--slug", "shop");
}

describe("portico project import --secrets", () => {
  test("stores each value, encrypted, for every tool that declares the name", async () => {
    await withProject();
    const r = await cli.run("project", "import", "--project", "acme/shop", "--file", file("m.json", MANIFEST), "--secrets", file("s.json", { API_KEY: "k-123456" }), "--json");
    expect(r.code).toBe(0);
    expect(r.json.secretsSaved).toEqual(["lookup.API_KEY", "other.API_KEY"]);
    const { secrets, projectId } = await store();
    // Issue 11 #1: without --channel the values are draft values.
    expect(await secrets.loadSecrets(projectId, "lookup", "draft")).toEqual({ API_KEY: "k-123456" });
    expect(await secrets.listSecretNames(projectId, "other", "draft")).toEqual(["API_KEY"]);
    expect(await secrets.listSecretNames(projectId, "other", "production")).toEqual([]);
    expect(r.out).not.toContain("k-123456");
  });

  test("an undeclared name or a malformed file exits 2 naming --secrets, before the draft changes", async () => {
    await withProject();
    const m = file("m.json", MANIFEST);
    expectBadFlag(await cli.run("project", "import", "--project", "acme/shop", "--file", m, "--secrets", file("s.json", { NOPE: "x" })), "secrets");
    expectBadFlag(await cli.run("project", "import", "--project", "acme/shop", "--file", m, "--secrets", file("s.json", { API_KEY: 42 })), "secrets");
    expect((await cli.run("project", "export", "--project", "acme/shop", "--json")).json.tools).toEqual([]);
  });
});

describe("secret values per channel from the CLI (issue 11 #1)", () => {
  test("--channel production writes production values (an operator action); publish asks to confirm while some are missing", async () => {
    await withProject();
    const m = file("m.json", MANIFEST);
    const r = await cli.run("project", "import", "--project", "acme/shop", "--file", m, "--secrets", file("s.json", { API_KEY: "k-123456" }), "--channel", "production", "--json");
    expect(r.code).toBe(0);
    expect(r.json.secretsChannel).toBe("production");
    expect(r.json.secretsMissing).toEqual({ draft: ["lookup.API_KEY", "other.API_KEY", "other.TOKEN"], production: ["other.TOKEN"] });
    const { secrets, projectId } = await store();
    expect(await secrets.loadSecrets(projectId, "lookup", "production")).toEqual({ API_KEY: "k-123456" });
    expect(await secrets.loadSecrets(projectId, "lookup", "draft")).toEqual({});
    expectBadFlag(await cli.run("project", "import", "--project", "acme/shop", "--file", m, "--secrets", file("s.json", { API_KEY: "x" }), "--channel", "staging"), "channel");

    const refused = await cli.run("publish", "--project", "acme/shop");
    expectBadFlag(refused, "confirm");
    expect(refused.err).toContain("other.TOKEN");
    const published = await cli.run("publish", "--project", "acme/shop", "--confirm", "--json");
    expect(published.code).toBe(0);
    expect(published.json.version).toBe(1);
  });
});

describe("portico secrets rotate-key", () => {
  test("re-encrypts stored secrets under a new key file; values survive", async () => {
    await withProject();
    await cli.run("project", "import", "--project", "acme/shop", "--file", file("m.json", MANIFEST), "--secrets", file("s.json", { API_KEY: "k-123456", TOKEN: "t-654321" }));
    const keyBefore = await Bun.file(join(cli.dataDir, "secret.key")).text();
    const r = await cli.run("secrets", "rotate-key", "--json");
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ rotated: 3, source: "file" });
    expect(await Bun.file(join(cli.dataDir, "secret.key")).text()).not.toBe(keyBefore);
    const { secrets, projectId } = await store();
    expect(await secrets.loadSecrets(projectId, "other", "draft")).toEqual({ API_KEY: "k-123456", TOKEN: "t-654321" });
  });

  test("with PORTICO_SECRET_KEY the new key is printed; a bad --new-key exits 2", async () => {
    await withProject();
    const oldKey = Buffer.alloc(32, 7).toString("base64");
    const newKey = Buffer.alloc(32, 9).toString("base64");
    await cli.run("project", "import", "--project", "acme/shop", "--file", file("m.json", MANIFEST), "--secrets", file("s.json", { TOKEN: "t-654321" }), "--secret-key", oldKey);
    const r = await cli.run("secrets", "rotate-key", "--secret-key", oldKey, "--new-key", newKey, "--json");
    expect(r.json).toEqual({ rotated: 1, source: "env", key: newKey });
    const { secrets, projectId } = await store(newKey);
    expect(await secrets.loadSecrets(projectId, "other", "draft")).toEqual({ TOKEN: "t-654321" });
    expectBadFlag(await cli.run("secrets", "rotate-key", "--new-key", "too-short"), "new-key");
  });
});
