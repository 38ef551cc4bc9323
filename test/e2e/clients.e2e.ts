/**
 * The clients people connect with, unmodified, against a private project served by a real `portico serve`:
 * - mcp-remote (the stdio bridge Claude Desktop uses for remote servers) discovers Portico's OAuth server,
 *   registers by DCR and opens the authorize URL in "the browser" — headless chromium driven through sign-in
 *   and consent by support/oauth-browser.ts — then an SDK client speaks MCP over mcp-remote's stdio.
 * - MCP Inspector's CLI lists and calls tools over Streamable HTTP with a bearer: an API key, and the OAuth
 *   access token mcp-remote obtained.
 * Every home and config dir is a temp dir, so nothing leaks into (or from) the machine's own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { tempDir } from "../helpers";
import { freePort, node22, NODE22, provision, ROOT, serve, type Project, type ServeChild } from "./support/portico";

const MCP_REMOTE = join(ROOT, "node_modules/mcp-remote/dist/proxy.js");
const INSPECTOR_CLI = join(ROOT, "node_modules/@modelcontextprotocol/inspector/clients/cli/build/index.js");

let project: Project;
let server: ServeChild;
let mcpUrl: string;
/** Set by the mcp-remote test: the OAuth access token it stored, for the Inspector test. */
let oauthToken: string | undefined;

beforeAll(async () => {
  project = await provision({ manifestFile: join(import.meta.dir, "fixtures/shop-manifest.json"), name: "Shop" });
  server = await serve(project.dataDir);
  mcpUrl = `${server.url}/${project.org}/${project.slug}`;
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** A `BROWSER` for xdg-open (which `open`, mcp-remote's opener, runs on Linux): our chromium driver. */
function browserOpener(dir: string): string {
  const path = join(dir, "browser.sh");
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dir, "support/oauth-browser.ts")}" "$1"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** The project's audit events matching `query`, once the batched writer has flushed at least one. */
async function auditRows(query: string): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${server.url}/api/v1/projects/${project.org}/${project.slug}/audit?${query}`, { headers: { authorization: `Bearer ${project.key}` } });
    const { events } = (await res.json()) as { events: Record<string, unknown>[] };
    if (events.length > 0) return events;
    await Bun.sleep(100);
  }
  return [];
}

/** Everything below `dir` whose name ends with `suffix`. */
function findFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f));
}

describe("mcp-remote", () => {
  test("runs the whole OAuth flow in a browser, then lists and calls tools over stdio", async () => {
    const home = tempDir("portico-mcp-remote-");
    const browserLog = join(home, "browser.jsonl");
    const callbackPort = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      MCP_REMOTE_CONFIG_DIR: join(home, "mcp-auth"),
      BROWSER: browserOpener(home),
      E2E_EMAIL: project.owner.email,
      E2E_PASSWORD: project.owner.password,
      E2E_BROWSER_LOG: browserLog,
    };
    const transport = new StdioClientTransport({
      command: NODE22,
      args: [MCP_REMOTE, mcpUrl, String(callbackPort), "--host", "127.0.0.1", "--auth-timeout", "90"],
      env,
      stderr: "pipe",
      cwd: home,
    });
    let stderr = "";
    transport.stderr?.on("data", (d) => (stderr += String(d)));
    const client = new Client({ name: "claude-desktop-e2e", version: "1.0.0" });
    try {
      await client.connect(transport, { timeout: 120_000 });
      expect(client.getServerVersion()?.name).toBe("Shop");
      expect(client.getInstructions()).toContain("Use echo");

      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(["echo", "card"]));
      const result = await client.callTool({ name: "echo", arguments: { text: "through mcp-remote" } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ echoed: "through mcp-remote" });
    } catch (err) {
      throw new Error(`${err}\n--- mcp-remote stderr ---\n${stderr.slice(-4000)}\n--- browser ---\n${existsSync(browserLog) ? readFileSync(browserLog, "utf8") : "(never opened)"}`);
    } finally {
      await client.close().catch(() => {});
    }

    const steps = readFileSync(browserLog, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(steps.map((s) => s.step)).toEqual(["login", "consent", "callback"]);
    const consent = steps[1]!.text as string;
    expect(consent).toContain("Shop");
    expect(consent).toMatch(/unverified/i);
    expect(steps[2]).toMatchObject({ origin: `http://127.0.0.1:${callbackPort}`, hasCode: true, iss: server.url });

    // The grant is the signed-in user's; the call is audited with the host's clientInfo.
    const [row] = await auditRows("tool=echo");
    expect(row).toMatchObject({ principal: "user", method: "tools/call", status: "ok", host: expect.stringContaining("claude-desktop-e2e (via mcp-remote") });
    expect(row!.grantId).toMatch(/^gnt_/);
    expect(row!.input).toContain("through mcp-remote");

    const stored = findFiles(env.MCP_REMOTE_CONFIG_DIR!, "_tokens.json");
    expect(stored.length).toBe(1);
    oauthToken = JSON.parse(readFileSync(stored[0]!, "utf8")).access_token;
    expect(oauthToken?.split(".").length).toBe(3);
  }, 180_000);
});

describe("MCP Inspector CLI", () => {
  /** `inspector --cli URL --transport http --header "Authorization: Bearer …" …args`, parsed JSON output. */
  async function inspector(bearer: string, ...args: string[]): Promise<any> {
    const home = tempDir("portico-inspector-");
    const r = await node22([INSPECTOR_CLI, mcpUrl, "--transport", "http", "--header", `Authorization: Bearer ${bearer}`, ...args], {
      timeoutMs: 60_000,
      env: { HOME: home, XDG_CONFIG_HOME: home },
    });
    if (r.code !== 0) throw new Error(`inspector exited ${r.code}: ${r.err}${r.out}`);
    return JSON.parse(r.out);
  }

  test("lists tools and calls one with an API key", async () => {
    const list = await inspector(project.key, "--method", "tools/list");
    const echo = list.tools.find((t: { name: string }) => t.name === "echo");
    expect(echo).toMatchObject({ title: "Echo", annotations: { readOnlyHint: true }, inputSchema: { required: ["text"] } });
    const call = await inspector(project.key, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "text=from the inspector");
    expect(call.structuredContent).toEqual({ echoed: "from the inspector" });
    expect(call.content[0].text).toContain("from the inspector");
  }, 120_000);

  test("calls a tool with the OAuth access token mcp-remote obtained; a tampered token sends it back to OAuth", async () => {
    expect(oauthToken).toBeDefined();
    const call = await inspector(oauthToken!, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "text=oauth bearer");
    expect(call.structuredContent).toEqual({ echoed: "oauth bearer" });
    await expect(inspector(`${oauthToken}x`, "--method", "tools/list")).rejects.toThrow(/auth_required/);
  }, 120_000);

  test("gets a prompt with arguments", async () => {
    const prompt = await inspector(project.key, "--method", "prompts/get", "--prompt-name", "summarize", "--prompt-args", "topic=tide pools");
    expect(prompt.messages[0].content.text).toBe("Summarize tide pools in three sentences.");
  }, 120_000);
});
