/**
 * The single binary: built with the package's own build script (to a temp path), run from a directory
 * with no `db/` folder beside it, so migrations (and the code editor's bundle) must be embedded. Runs `demo` on a fresh data dir.
 */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pkg from "../../package.json";
import { tempDir } from "../helpers";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

const ROOT = resolve(import.meta.dir, "../..");

async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(text)) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(Math.max(1, deadline - Date.now())).then(() => null)]);
    if (!chunk || chunk.done) throw new Error(`no match for ${pattern} in: ${text}`);
    text += decoder.decode(chunk.value);
  }
  reader.releaseLock();
  return text;
}

describe("the compiled binary", () => {
  test("carries its migrations and sandbox, serves the demo on a fresh data dir, then stops cleanly", async () => {
    const out = join(tempDir("portico-bin-"), "portico");
    const build = pkg.scripts.build.replace("dist/portico", out).split(" ");
    const built = Bun.spawnSync(build, { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, PATH: `${ROOT}/node_modules/.bin:${process.env.PATH}` } });
    expect(built.exitCode).toBe(0);

    const elsewhere = tempDir("portico-cwd-");
    const migrate = Bun.spawnSync([out, "migrate", "--data-dir", join(elsewhere, "m"), "--json"], { cwd: elsewhere });
    expect(migrate.exitCode).toBe(0);
    expect(JSON.parse(migrate.stdout.toString()).applied).toBeGreaterThan(0);

    const demoDir = tempDir();
    const proc = Bun.spawn([out, "demo", "--port", "0", "--data-dir", demoDir, "--log-level", "warn"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
    try {
      const text = await readUntil(proc.stdout, /draft:\s+(\S+)/, 20_000);
      const production = /production: (\S+)/.exec(text)![1]!;
      const draft = /draft:\s+(\S+)/.exec(text)![1]!;
      const base = /running at (\S+)/.exec(text)![1]!;
      expect(text).toContain("owner@demo.example.com");
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/login`)).status).toBe(200);
      // The tool form's code editor (CodeMirror) is inside the binary, bundled at build time: no node_modules here.
      const editor = await fetch(`${base}/assets/editor.js`);
      expect(editor.status).toBe(200);
      expect(await editor.text()).toContain("textarea[data-editor]");
      for (const url of [production, draft]) {
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toContain("resource_metadata=");
      }
      // The binary's own CLI, on the data dir the demo is serving, makes a key; the sandboxed script tool runs.
      const made = Bun.spawnSync([out, "apikey", "create", "--project", "demo/playground", "--email", "owner@demo.example.com", "--name", "smoke", "--json", "--data-dir", demoDir], { cwd: elsewhere });
      expect(made.exitCode).toBe(0);
      const client = new Client({ name: "binary-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(production), { requestInit: { headers: { authorization: `Bearer ${JSON.parse(made.stdout.toString()).key}` } } }));
      try {
        const result = await client.callTool({ name: "word_stats", arguments: { text: "one two three" } });
        expect(result.structuredContent).toEqual({ words: 3, characters: 13, longest: "three" });
      } finally {
        await client.close();
      }
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
  }, 60_000);
});
