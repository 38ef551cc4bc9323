/**
 * Smoke tests of what `npm run release` wrote to dist/release (issue 12): checksums and their signature,
 * the SBOM, each binary's format, the linux-x64 binary run the way the README's Install section says —
 * from an empty directory, HOME elsewhere, no npm — through first-run setup, the consent page and a script
 * tool call, and the linux-arm64 binary under Debian's qemu-user-static. Darwin and Windows binaries cannot
 * run here; their executable headers and architectures are checked.
 *
 * Run by `.ci/run` after `npm run release -- --ephemeral-key` as `npm run test:release`. Missing tools
 * (openssl, qemu-aarch64-static) fail with the package to install; nothing is skipped.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { CookieJar, hiddenField, tempDir } from "../helpers";
import { REDIRECT_URI, registerClient } from "../e2e/support/oauth";
import { s256 } from "../../src/lib/crypto";

setDefaultTimeout(180_000);

const ROOT = resolve(import.meta.dir, "../..");
const DIR = join(ROOT, "dist/release");
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const PASSWORD = "correct horse battery staple";
const children: Subprocess[] = [];
afterAll(() => children.forEach((c) => c.kill("SIGKILL")));

function need(tool: string, pkg: string): string {
  const path = Bun.which(tool) ?? (existsSync(`/usr/bin/${tool}`) ? `/usr/bin/${tool}` : null);
  if (!path) throw new Error(`${tool} not installed: apt-get install ${pkg}`);
  return path;
}

function file(name: string): string {
  const path = join(DIR, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run release -- --ephemeral-key\` first`);
  return path;
}

async function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn(cmd, { cwd: opts.cwd, env: { PATH: "/usr/bin:/bin", ...opts.env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

/** Starts `cmd` and resolves once a stdout/stderr line matches `ready` (within `ms`). */
async function start(cmd: string[], opts: { cwd: string; env: Record<string, string> }, ready: RegExp, ms: number): Promise<{ proc: Subprocess; output: () => string; match: RegExpMatchArray }> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: { PATH: "/usr/bin:/bin", ...opts.env }, stdout: "pipe", stderr: "pipe" });
  children.push(proc);
  let text = "";
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) text += new TextDecoder().decode(chunk);
  };
  void pump(proc.stdout as ReadableStream<Uint8Array>);
  void pump(proc.stderr as ReadableStream<Uint8Array>);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = text.match(ready);
    if (m) return { proc, output: () => text, match: m };
    if (proc.exitCode !== null) break;
    await Bun.sleep(50);
  }
  proc.kill("SIGKILL");
  throw new Error(`${cmd.join(" ")} did not print ${ready} within ${ms} ms:\n${text}`);
}

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  void s.stop(true);
  return port;
}

const gitCommit = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: ROOT }).stdout.toString().trim();

describe("release artifacts", () => {
  test("SHA256SUMS lists exactly the five binaries with their real hashes, and its Ed25519 signature verifies with openssl", async () => {
    const sums = readFileSync(file("SHA256SUMS"), "utf8").trim().split("\n").map((l) => l.split(/\s+/) as [string, string]);
    expect(sums.map(([, n]) => n).sort()).toEqual(["portico-darwin-arm64", "portico-darwin-x64", "portico-linux-arm64", "portico-linux-x64", "portico-windows-x64.exe"]);
    for (const [hash, name] of sums) expect(createHash("sha256").update(readFileSync(file(name))).digest("hex")).toBe(hash);
    // The README's verification commands: checksums, then their signature (with the key the CI build used).
    const sha = await run([need("sha256sum", "coreutils"), "--check", "--ignore-missing", "SHA256SUMS"], { cwd: DIR });
    expect({ code: sha.code, ok: sha.out.split("\n").filter((l) => l.endsWith(": OK")).length }).toEqual({ code: 0, ok: 5 });
    const openssl = need("openssl", "openssl");
    const verify = (sig: string) => run([openssl, "pkeyutl", "-verify", "-pubin", "-inkey", file("release-test-key.pub"), "-rawin", "-in", file("SHA256SUMS"), "-sigfile", sig]);
    const ok = await verify(file("SHA256SUMS.sig"));
    expect(ok.out + ok.err).toContain("Signature Verified Successfully");
    const forged = join(tempDir(), "forged.sig");
    const sig = readFileSync(file("SHA256SUMS.sig"));
    sig[0] = sig[0]! ^ 1;
    writeFileSync(forged, sig);
    expect((await verify(forged)).code).not.toBe(0);
    // No stray assets (source maps, temp files) beside the binaries.
    expect(readdirSync(DIR).sort()).toEqual([...sums.map(([, n]) => n), "SHA256SUMS", "SHA256SUMS.sig", "portico.cdx.json", "release-test-key.pub"].sort());
  });

  test("the SBOM is CycloneDX and names every runtime dependency at its locked version, not the dev tools", () => {
    const sbom = JSON.parse(readFileSync(file("portico.cdx.json"), "utf8"));
    expect([sbom.bomFormat, sbom.specVersion, sbom.metadata.component.version]).toEqual(["CycloneDX", "1.5", PKG.version]);
    const components = sbom.components as Array<{ name: string; version: string; purl: string; hashes?: unknown[] }>;
    const names = components.map((c) => c.name);
    const deps = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).dependencies);
    for (const dep of deps) expect(names).toContain(dep);
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")).packages;
    // A dependency may also be bundled in other versions (nested copies another package pins, e.g. the OTel SDK's
    // own @opentelemetry/resources); the SBOM lists each copy, and the locked top-level one must be among them.
    for (const dep of deps) expect(components.filter((c) => c.name === dep).map((c) => c.version)).toContain(lock[`node_modules/${dep}`].version);
    expect(components.find((c) => c.name === "@modelcontextprotocol/sdk")!.purl).toMatch(/^pkg:npm\/%40modelcontextprotocol\/sdk@/);
    expect(components.every((c) => c.hashes?.length)).toBe(true);
    for (const dev of ["playwright-core", "drizzle-kit", "mcp-remote", "@modelcontextprotocol/inspector"]) expect(names).not.toContain(dev);
  });

  test("each binary is an executable for its platform", () => {
    const head = (name: string) => readFileSync(file(name)).subarray(0, 20);
    const elfMachine = (b: Buffer) => b.readUInt16LE(18);
    expect(head("portico-linux-x64").subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(elfMachine(head("portico-linux-x64"))).toBe(0x3e); // x86-64
    expect(elfMachine(head("portico-linux-arm64"))).toBe(0xb7); // AArch64
    expect(head("portico-darwin-arm64").readUInt32LE(0)).toBe(0xfeedfacf); // Mach-O 64-bit
    expect(head("portico-darwin-arm64").readUInt32LE(4)).toBe(0x0100000c); // CPU_TYPE_ARM64
    expect(head("portico-darwin-x64").readUInt32LE(4)).toBe(0x01000007); // CPU_TYPE_X86_64
    expect(head("portico-windows-x64.exe").subarray(0, 2).toString("latin1")).toBe("MZ");
  });
});

describe("linux-x64, as the README's Install section runs it", () => {
  test("from an empty directory with HOME elsewhere: version, setup link, migrations, consent page, a script tool call", async () => {
    const dir = tempDir("portico-install-");
    const home = tempDir("portico-home-");
    copyFileSync(file("portico-linux-x64"), join(dir, "portico"));
    await run(["chmod", "+x", join(dir, "portico")]);
    const env = { HOME: home };
    const bin = "./portico";

    const version = await run([bin, "--version"], { cwd: dir, env });
    expect(version.out.trim()).toBe(`portico ${PKG.version} (${gitCommit})`);

    const port = await freePort();
    const server = await start([bin, "--port", String(port)], { cwd: dir, env }, /(http:\/\/\S+\/setup\?token=\S+)/, 20_000);
    const base = `http://127.0.0.1:${port}`;
    expect(existsSync(join(dir, "data/portico.db"))).toBe(true);
    expect(readdirSync(home)).toEqual([]); // nothing written to HOME
    const cli = (...args: string[]) => run([bin, ...args, "--json"], { cwd: dir, env });
    expect(JSON.parse((await cli("migrate", "--dry-run")).out).pending).toEqual([]);

    // First-run setup through the page, as a person would.
    const jar = new CookieJar();
    const form = jar.store(await fetch(server.match[1]!));
    const html = await form.text();
    expect(form.status).toBe(200);
    const setup = jar.store(
      await fetch(`${base}/setup`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header },
        body: new URLSearchParams({ csrf: hiddenField(html, "csrf")!, token: hiddenField(html, "token")!, email: "owner@example.com", password: PASSWORD, org_name: "Acme", org_slug: "acme" }),
      }),
    );
    expect(setup.status).toBe(303);

    // The binary's own CLI on the running server's data dir: a project with a script tool, published, a key.
    const manifest = join(dir, "m.json");
    writeFileSync(manifest, JSON.stringify({ tools: [{ name: "add", kind: "script", description: "Adds.", inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } }, script: "export default async (i) => ({ sum: i.a + i.b })" }] }));
    expect((await cli("project", "create", "--org", "acme", "--slug", "shop")).code).toBe(0);
    expect((await cli("project", "import", "--project", "acme/shop", "--file", manifest)).code).toBe(0);
    expect((await cli("publish", "--project", "acme/shop", "--as", "owner@example.com")).code).toBe(0);
    const key = JSON.parse((await cli("apikey", "create", "--project", "acme/shop", "--email", "owner@example.com", "--name", "smoke")).out).key as string;
    const call = await fetch(`${base}/acme/shop`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 2, b: 3 } } }),
    });
    expect((await call.json()).result.structuredContent).toEqual({ sum: 5 });

    // The consent page for a host connecting to the project, for the signed-in owner.
    const { client_id } = await registerClient(base, { client_name: "Smoke Host" });
    const consent = await fetch(
      `${base}/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id, redirect_uri: REDIRECT_URI, code_challenge: s256("v".repeat(50)), code_challenge_method: "S256", state: "s", resource: `${base}/acme/shop` })}`,
      { headers: { cookie: jar.header } },
    );
    const page = await consent.text();
    expect(consent.status).toBe(200);
    expect(page).toContain("Smoke Host");
    expect(page).toContain(`Portico ${PKG.version} · ${gitCommit}`);

    server.proc.kill("SIGTERM");
    expect(await server.proc.exited).toBe(0);
  });
});

describe("linux-arm64 under qemu-user-static", () => {
  test("prints its version, migrates a fresh data dir and serves /healthz", async () => {
    const qemu = need("qemu-aarch64-static", "qemu-user-static");
    const sysroot = "/usr/aarch64-linux-gnu";
    if (!existsSync(join(sysroot, "lib/ld-linux-aarch64.so.1"))) throw new Error("arm64 C library missing: apt-get install libc6-arm64-cross");
    const dir = tempDir("portico-arm64-");
    mkdirSync(join(dir, "home"));
    const env = { HOME: join(dir, "home") };
    const bin = [qemu, "-L", sysroot, file("portico-linux-arm64")];
    expect((await run([...bin, "--version"], { cwd: dir, env })).out.trim()).toBe(`portico ${PKG.version} (${gitCommit})`);
    const port = await freePort();
    const server = await start([...bin, "serve", "--port", String(port), "--log-level", "info"], { cwd: dir, env }, /setup\?token=/, 120_000);
    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    expect(health).toEqual({ status: "ok", version: PKG.version, commit: gitCommit });
    server.proc.kill("SIGTERM");
    expect(await server.proc.exited).toBe(0);
  });
});
