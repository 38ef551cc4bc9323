import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { req, startTestServer } from "../helpers";
import { ToolDefinitionSchema } from "../../src/projects/manifest";
import { createOrg } from "../../src/projects/orgs";
import { createProject } from "../../src/projects/projects";
import { script, text, toolsHarness, type ToolsHarness } from "./fixtures";

let h: ToolsHarness;
let upstream: ReturnType<typeof Bun.serve>;
let upstreamHits = 0;

beforeAll(async () => {
  h = await toolsHarness();
  upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(r) {
      upstreamHits++;
      const path = new URL(r.url).pathname;
      if (path === "/huge") return new Response("z".repeat(5 * 1024 * 1024 + 1));
      if (path === "/redirect-private") return new Response(null, { status: 302, headers: { location: "http://10.0.0.1/" } });
      return Response.json({ path, method: r.method, auth: r.headers.get("authorization") }, { headers: { "x-upstream": "yes" } });
    },
  });
});
afterAll(async () => {
  void upstream.stop(true);
  await h.close();
});

/** The server still answers and a normal script still runs: containment did not take anything down. */
async function expectHealthy() {
  expect((await req(h.app, "/healthz")).status).toBe(200);
  const ok = await h.call(script("export default (i) => ({ still: i.v })"), { v: "alive" });
  expect(ok.result.structuredContent).toEqual({ still: "alive" });
}

describe("containment: each is a clear classified error and the server stays healthy", () => {
  test("an infinite loop stops at the tool's time limit", async () => {
    const started = performance.now();
    const out = await h.call(script("export default () => { for (;;) {} }", { timeoutMs: 300 }));
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toBe("the script did not finish within 300 ms");
    expect(performance.now() - started).toBeLessThan(2000);
    await expectHealthy();
  });

  test("a loop of long native calls (which starve the interrupt handler) is stopped by the host", async () => {
    const started = performance.now();
    const out = await h.call(script("export default () => { for (;;) new Array(1e5).fill(1.5) }", { timeoutMs: 200, memoryMb: 512 }));
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/did not finish within 200 ms/);
    expect(performance.now() - started).toBeLessThan(2500);
    await expectHealthy();
  });

  test("a pending await past the deadline times out", async () => {
    const out = await h.call(script("export default () => new Promise(() => {})", { timeoutMs: 100 }));
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/did not finish within 100 ms/);
  });

  test("the memory bomb is capped at the tool's limit and its memory is returned", async () => {
    const before = process.memoryUsage().rss;
    const out = await h.call(script("export default () => { const a = []; for (;;) a.push(new Array(1e5).fill(1.5)); }", { memoryMb: 64 }));
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toBe("the script used more than its 64 MB memory limit");
    // The worker holding the grown wasm heap was terminated; give the allocator a moment to unmap it.
    Bun.gc(true);
    await Bun.sleep(200);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    await expectHealthy();
  });

  test("a memory bomb that catches its out-of-memory errors is still stopped", async () => {
    const out = await h.call(
      script("export default () => { const a = []; for (let i = 0; i < 1e7; i++) { try { a.push(new Float64Array(1e6)) } catch {} } return 'survived' }", { memoryMb: 32, timeoutMs: 3000 }),
    );
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/32 MB memory limit/);
    await expectHealthy();
  });

  test("deep recursion hits the stack limit", async () => {
    const out = await h.call(script("export default () => { const f = (n) => f(n + 1) + 1; return f(0) }"));
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toBe("the script exceeded the maximum call stack depth");
    await expectHealthy();
  });

  test.each([
    ["process", "export default () => process.exit(1)", /process/],
    ["Bun", "export default () => Bun.spawnSync(['id'])", /Bun/],
    ["require", "export default () => require('fs').readFileSync('/etc/passwd', 'utf8')", /require/],
    ["import()", "export default async () => (await import('fs')).readFileSync('/etc/passwd')", /could not|fs|module/i],
  ])("reaching for %s fails inside the sandbox", async (_, source, message) => {
    const out = await h.call(script(source));
    expect(out.errorClass).toBe("tool");
    expect(out.error).toMatch(message);
    await expectHealthy();
  });

  test("the global object reached through Function and constructors is the sandbox's own", async () => {
    const out = await h.call(
      script(`export default () => {
        const g1 = Function("return this")();
        const g2 = (() => {}).constructor("return globalThis")();
        const g3 = Object.getPrototypeOf(async function () {}).constructor("return this")();
        const names = (g) => Object.getOwnPropertyNames(g).filter((n) => /process|Bun|require|module|Deno|host|__/i.test(n));
        return { same: g1 === globalThis && g2 === globalThis, leaked: [...names(g1), ...names(g2)], p: typeof g3 };
      }`),
    );
    expect(out.result.structuredContent).toEqual({ same: true, leaked: [], p: "object" });
  });

  test("secrets are only in env.secrets, frozen, and redacted from output and logs", async () => {
    await h.deps.tools.secrets.setSecret(h.projectId, "t", "API_KEY", "sk-live-123456", "production");
    const out = await h.call(
      script(
        `export default (i, env) => {
          let writable = true;
          try { env.secrets.API_KEY = "changed"; } catch { writable = false; }
          console.log("key is", env.secrets.API_KEY);
          return { key: env.secrets.API_KEY, global: typeof API_KEY, frozen: Object.isFrozen(env.secrets), writable };
        }`,
        { secrets: ["API_KEY"] },
      ),
    );
    expect(out.errorClass).toBeUndefined();
    expect(out.result.structuredContent).toEqual({ key: "[redacted]", global: "undefined", frozen: true, writable: false });
    expect(out.logs).toEqual(["info: key is [redacted]"]);
    expect(JSON.stringify(out)).not.toContain("sk-live-123456");
  });

  test("a declared secret that is not set is a configuration error", async () => {
    const out = await h.call(script("export default (i, env) => env.secrets.MISSING", { name: "other", secrets: ["MISSING"] }));
    expect(out.errorClass).toBe("configuration");
    expect(out.error).toMatch(/secret MISSING is not set/);
  });

  test("the caller cancelling ends the call", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const out = await h.call(script("export default () => { for (;;) {} }", { timeoutMs: 5000 }), {}, ctl.signal);
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toBe("the call was cancelled");
    await expectHealthy();
  });
});

describe("fetch from a script", () => {
  const base = () => `http://127.0.0.1:${upstream.port}`;

  test("an allowed domain is fetched, with a Response-like object", async () => {
    const out = await h.call(
      script(
        `export default async (i) => {
          const res = await fetch(i.url + "/data", { method: "POST", headers: { authorization: "Bearer t" }, body: "{}" });
          const body = await res.json();
          return { status: res.status, ok: res.ok, header: res.headers.get("X-Upstream"), missing: res.headers.get("nope"), body, text: (await res.text()).length > 0 };
        }`,
        { allowedDomains: ["127.0.0.1"] },
      ),
      { url: base() },
    );
    expect(out.result.structuredContent).toEqual({
      status: 200,
      ok: true,
      header: "yes",
      missing: null,
      body: { path: "/data", method: "POST", auth: "Bearer t" },
      text: true,
    });
  });

  test("parallel fetches all settle; fetches left running when the handler returns do not break the next call", async () => {
    const allowed = { allowedDomains: ["127.0.0.1"] };
    const many = await h.call(script("export default async (i) => (await Promise.all(Array.from({ length: 10 }, (_, n) => fetch(i.url + '/p' + n).then((r) => r.json())))).map((b) => b.path)", allowed), { url: base() });
    expect(many.result.structuredContent).toEqual({ result: Array.from({ length: 10 }, (_, n) => `/p${n}`) });
    const forgotten = await h.call(script("export default (i) => { fetch(i.url); fetch(i.url).then((r) => r.text()); return { returned: true } }", allowed), { url: base() });
    expect(forgotten.result.structuredContent).toEqual({ returned: true });
    await expectHealthy();
  });

  test("fetch options are validated: a body must be a string", async () => {
    const out = await h.call(script("export default async (i) => (await fetch(i.url, { method: 'POST', body: { a: 1 } })).status", { allowedDomains: ["127.0.0.1"] }), { url: base() });
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/invalid fetch options: body/);
  });

  test("a domain that is not allowed is refused before any request", async () => {
    const hits = upstreamHits;
    const out = await h.call(script("export default async (i) => (await fetch(i.url)).status", { allowedDomains: ["api.example.com"] }), { url: base() });
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/127\.0\.0\.1 is not in this tool's allowed domains/);
    expect(upstreamHits).toBe(hits);
  });

  test("the script can catch a refused fetch and carry on", async () => {
    const out = await h.call(script("export default async () => { try { await fetch('https://nope.example/') } catch (e) { return { name: e.name } } }"));
    expect(out.result.structuredContent).toEqual({ name: "FetchError" });
  });

  test.each([
    ["a private address", "http://10.0.0.1/", ["10.0.0.1"]],
    ["the cloud metadata address", "http://169.254.169.254/latest/meta-data/", ["169.254.169.254"]],
    ["an IPv4-mapped private address", "https://[::ffff:10.0.0.1]/", ["[::ffff:a00:1]", "::ffff:a00:1"]],
  ])("%s is refused even when listed", async (_, url, allowedDomains) => {
    const out = await h.call(script("export default async (i) => (await fetch(i.url)).status", { allowedDomains: allowedDomains.filter((d) => /^[a-z0-9.-]+$/.test(d)) }), { url });
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/fetch .* failed/);
  });

  test("a redirect to a private address is refused", async () => {
    const out = await h.call(script("export default async (i) => (await fetch(i.url + '/redirect-private')).status", { allowedDomains: ["127.0.0.1", "10.0.0.1"] }), { url: base() });
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/private or reserved|only https/);
  });

  test("a response over the size cap is refused", async () => {
    const out = await h.call(script("export default async (i) => (await (await fetch(i.url + '/huge')).text()).length", { allowedDomains: ["127.0.0.1"] }), { url: base() });
    expect(out.errorClass).toBe("runtime");
    expect(out.error).toMatch(/larger than 5242880 bytes/);
    await expectHealthy();
  });

  test("Portico's own origin is refused", async () => {
    const own = await toolsHarness({ publicUrl: base() });
    try {
      const out = await own.call(script("export default async (i) => (await fetch(i.url)).status", { allowedDomains: ["127.0.0.1"] }), { url: base() + "/x" });
      expect(out.errorClass).toBe("runtime");
      expect(out.error).toMatch(/Portico itself/);
    } finally {
      await own.close();
    }
  });

  test("a running server's own URL is refused, also when it was derived from the bound port", async () => {
    const server = await startTestServer({ allowLoopbackFetch: true });
    try {
      const { deps } = server;
      const project = await createProject(deps.db, (await createOrg(deps.db, { slug: "self" })).id, { slug: "fetch" });
      const def = ToolDefinitionSchema.parse(script("export default async (i) => (await fetch(i.url)).status", { allowedDomains: ["127.0.0.1"] }));
      const ctx = { projectId: project.id, channel: "production" as const, log() {}, progress() {}, signal: new AbortController().signal };
      const out = await deps.tools.run(project.id, def, { url: `${server.url}/healthz` }, ctx);
      expect(out.errorClass).toBe("runtime");
      expect(out.error).toMatch(/Portico itself/);
    } finally {
      await server.stop();
    }
  });

  test("without the test-only loopback flag, loopback and plain http are refused", async () => {
    const strict = await toolsHarness({ allowLoopbackFetch: false });
    try {
      const out = await strict.call(script("export default async (i) => (await fetch(i.url)).status", { allowedDomains: ["127.0.0.1"] }), { url: base() });
      expect(out.errorClass).toBe("runtime");
      expect(text(out)).toMatch(/https|private or reserved/);
    } finally {
      await strict.close();
    }
  });
});
