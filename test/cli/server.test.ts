import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { COMMANDS } from "../../src/cli/commands";
import { runCli } from "../../src/cli/run";
import { DB_FILE } from "../../src/db/client";
import { CookieJar, hiddenField } from "../helpers";
import { Cli, expectBadFlag } from "./cli";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let cli: Cli;
afterEach(() => cli?.stop());

async function capture(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { io: { out: (t) => (out += t + "\n"), err: (t) => (err += t + "\n") }, env: {}, signals: false });
  return { code, out, err };
}

describe("help", () => {
  test("portico --help lists every command, and every command has its own --help", async () => {
    const top = await capture(["--help"]);
    expect(top.code).toBe(0);
    for (const c of COMMANDS) {
      expect(top.out).toContain(c.spec.name);
      const r = await capture([...c.spec.name.split(" "), "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toStartWith(`portico ${c.spec.name} — `);
      for (const f of Object.keys(c.spec.flags)) expect(r.out).toContain(`--${f}`);
    }
    expect((await capture(["serve", "--help"])).out).toContain("--public-url");
  });

  test("an unknown command or flag exits 2 with one line", async () => {
    const r = await capture(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('portico: unknown command "frobnicate"; run portico --help for the list\n');
    cli = new Cli();
    expectBadFlag(await cli.run("migrate", "--colour", "blue"), "colour");
  });
});

describe("portico serve", () => {
  test("serves /healthz on the data dir and prints no setup link once a user exists", async () => {
    cli = new Cli();
    await cli.run("user", "create", "--email", "ada@example.com", "--password", "correct horse battery");
    expect((await cli.run("serve", "--port", "0", "--log-level", "silent")).code).toBe(0);
    const server = cli.servers[0]!;
    expect(server.setupUrl).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test("the start note about hosted apps names the URL the server really listens on, not port 0", async () => {
    cli = new Cli();
    const r = await cli.run("serve", "--port", "0", "--log-level", "silent");
    const server = cli.servers[0]!;
    expect(r.err).toContain(`cannot reach ${server.url}`);
    expect(r.err).not.toContain(":0");
  });

  test("a CLI command writes to the data dir while the server runs on it", async () => {
    cli = new Cli();
    await cli.run("serve", "--port", "0", "--log-level", "silent");
    const server = cli.servers[0]!;
    expect(server.setupUrl).not.toBeNull();
    expect((await cli.run("user", "create", "--email", "ada@example.com", "--password", "correct horse battery")).code).toBe(0);
    const jar = new CookieJar();
    const form = jar.store(await fetch(`${server.url}/login`));
    const body = new URLSearchParams({ csrf: hiddenField(await form.text(), "csrf")!, email: "ada@example.com", password: "correct horse battery" });
    const res = await fetch(`${server.url}/login`, { method: "POST", redirect: "manual", headers: { cookie: jar.header, "content-type": "application/x-www-form-urlencoded" }, body });
    expect(res.status).toBe(303);
  });

  test("bad settings exit 2 naming the flag, from flags or env", async () => {
    cli = new Cli();
    expectBadFlag(await cli.run("serve", "--port", "99999"), "port");
    expectBadFlag(await cli.run("serve", "--log-level", "loud"), "log-level");
    expectBadFlag(await cli.run("serve", "--port"), "port");
    expectBadFlag(await cli.run("serve", "--tls-cert", "/x.pem"), "tls-key");
    let err = "";
    const code = await runCli(["serve"], { io: { out: () => {}, err: (t) => (err += t) }, env: { PORTICO_PUBLIC_URL: "https://x.example.com/" }, signals: false });
    expect(code).toBe(2);
    expect(err).toContain("--public-url:");
  });
});

describe("portico migrate and keys rotate", () => {
  test("migrate applies once, then reports up to date; a newer database exits 1", async () => {
    cli = new Cli();
    const first = await cli.run("migrate", "--json");
    expect(first.json.applied).toBeGreaterThan(0);
    expect((await cli.run("migrate", "--json")).json.applied).toBe(0);
    const raw = new Database(join(cli.dataDir, DB_FILE));
    raw.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 1)");
    raw.close();
    const newer = await cli.run("migrate");
    expect(newer.code).toBe(1);
    expect(newer.err).toContain("newer Portico");
  });

  test("keys rotate adds a key; --retire-previous retires the old ones; a bad switch value exits 2", async () => {
    cli = new Cli();
    const a = await cli.run("keys", "rotate", "--json");
    const b = await cli.run("keys", "rotate", "--retire-previous", "--json");
    expect(a.json.kid).not.toBe(b.json.kid);
    expect(b.json.retired).toBe(1);
    expectBadFlag(await cli.run("keys", "rotate", "--retire-previous=perhaps"), "retire-previous");
  });
});

async function connect(cli: Cli, demo: { users: Array<{ email: string }>; urls: { production: string } }) {
  const key = await cli.run("apikey", "create", "--project", "demo/playground", "--email", demo.users[0]!.email, "--name", "test", "--json");
  const client = new Client({ name: "demo-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(demo.urls.production), { requestInit: { headers: { authorization: `Bearer ${key.json.key}` } } }));
  return client;
}

describe("portico demo", () => {
  test("seeds users for each role, publishes real tools and serves them; a re-run reuses the data", async () => {
    cli = new Cli();
    const r = await cli.run("demo", "--port", "0", "--log-level", "silent", "--json");
    expect(r.code).toBe(0);
    const demo = r.json;
    expect(demo.users.map((u: { role: string }) => u.role)).toEqual(["owner", "admin", "developer", "viewer"]);
    expect(demo.urls.production).toBe(`${demo.url}/demo/playground`);
    expect(demo.urls.draft).toBe(`${demo.url}/demo/playground/draft`);
    // The printed owner password signs in.
    const jar = new CookieJar();
    const form = jar.store(await fetch(demo.login));
    const body = new URLSearchParams({ csrf: hiddenField(await form.text(), "csrf")!, email: demo.users[0].email, password: demo.users[0].password });
    expect((await fetch(demo.login, { method: "POST", redirect: "manual", headers: { cookie: jar.header, "content-type": "application/x-www-form-urlencoded" }, body })).status).toBe(303);
    // The published tools are listed to an API key made by the CLI.
    const client = await connect(cli, demo);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).filter((n) => !n.startsWith("portico_")).sort()).toEqual(["delete_note", "show_palette", "word_stats"]);
    } finally {
      await client.close();
    }
    await cli.stop();
    const again = await cli.run("demo", "--port", "0", "--log-level", "silent", "--json");
    expect(again.code).toBe(0);
    // The manifest is unchanged, so production keeps v1: an unchanged draft is never published (issue 16 #5).
    expect(again.json.version).toBe(1);
  });

  test("refuses to take over an organization called demo that it did not create, and a bad port", async () => {
    cli = new Cli();
    await cli.run("org", "create", "--slug", "demo");
    const r = await cli.run("demo", "--port", "0", "--log-level", "silent");
    expect(r.code).toBe(1);
    expect(r.err).toContain("the demo did not create");
    expect(cli.servers).toHaveLength(0);
    expectBadFlag(await cli.run("demo", "--port", "-1"), "port");
  });

  test("the demo's script tool runs in the sandbox and its interactive tool has a UI and a text fallback", async () => {
    cli = new Cli();
    const demo = (await cli.run("demo", "--port", "0", "--log-level", "silent", "--json")).json;
    const client = await connect(cli, demo);
    try {
      const result = await client.callTool({ name: "word_stats", arguments: { text: "a quick brown fox" } });
      expect(result.structuredContent).toEqual({ words: 4, characters: 17, longest: "quick" });
      const palette = (await client.listTools()).tools.find((t) => t.name === "show_palette")!;
      const uri = (palette._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri;
      expect(uri).toStartWith("ui://");
      const ui = await client.readResource({ uri: uri! });
      expect(JSON.stringify(ui.contents)).toContain("ui/notifications/tool-result");
      const shown = await client.callTool({ name: "show_palette", arguments: { name: "Sea", colors: ["#0af", "#036"] } });
      expect(shown.structuredContent).toEqual({ name: "Sea", colors: ["#0af", "#036"] });
      expect(JSON.stringify(shown.content)).toContain("#0af");
    } finally {
      await client.close();
    }
  });
});
