/**
 * Debian's `caddy` as the TLS-terminating reverse proxy in front of a real `portico serve` (issue 12, "A proxy,
 * for real"). The site block is the README's own recipe ("Running behind a reverse proxy with https"), read
 * from README.md with only its site address and upstream port replaced, so the documented config is the
 * tested one. Test-only *global* options keep Caddy on loopback and off the internet: its own local CA
 * instead of ACME (`local_certs`), no admin endpoint, no trust-store install, no http→https redirect server,
 * high ports, and every file it writes inside a temp dir.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers";
import { freePort, ROOT, serve, type ServeChild } from "./portico";

/** The README's placeholders, replaced by the test's values. */
const README_SITE = "portico.example.com";
const README_UPSTREAM = "127.0.0.1:8787";

/** Fails (never skips) when the program is missing — CI must install it (`.ci/run`). */
export function requireCaddy(): string {
  const bin = Bun.which("caddy");
  if (!bin) throw new Error("caddy not installed: apt-get install caddy");
  return bin;
}

/** The one ```caddyfile block of the README's reverse-proxy section, verbatim. */
export function readmeCaddyfile(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split("\n## Running behind a reverse proxy with https\n")[1]?.split("\n## ")[0];
  if (!section) throw new Error('README has no "## Running behind a reverse proxy with https" section');
  const blocks = [...section.matchAll(/```caddyfile\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length !== 1) throw new Error(`README's reverse-proxy section should hold one caddyfile block, found ${blocks.length}`);
  return blocks[0]!;
}

/** Replaces `placeholder` in the recipe, insisting it occurs exactly once (so a changed README fails loudly). */
function substituteOnce(text: string, placeholder: string, value: string): string {
  const count = text.split(placeholder).length - 1;
  if (count !== 1) throw new Error(`README caddyfile recipe should name ${placeholder} once, found ${count}`);
  return text.replace(placeholder, value);
}

/**
 * The README recipe for `https://localhost:{httpsPort}` → `127.0.0.1:{upstreamPort}`, behind the test-only
 * global options. `dir` holds Caddy's storage (its local CA and certificates).
 */
export function testCaddyfile(opts: { httpsPort: number; httpPort: number; upstreamPort: number; dir: string }): string {
  let site = readmeCaddyfile();
  site = substituteOnce(site, README_SITE, `https://localhost:${opts.httpsPort}`);
  site = substituteOnce(site, README_UPSTREAM, `127.0.0.1:${opts.upstreamPort}`);
  const globals = [
    "{",
    "\tadmin off",
    // Caddy's own CA instead of ACME (`tls internal` for every site); never touch the system trust store.
    "\tlocal_certs",
    "\tskip_install_trust",
    // No port-80 listener for redirects; the https listener stays on loopback (IPv4 only, so every
    // client the proxy sees is a 127.x address the test can name) and off 80/443.
    "\tauto_https disable_redirects",
    "\tdefault_bind 127.0.0.1",
    `\thttp_port ${opts.httpPort}`,
    `\thttps_port ${opts.httpsPort}`,
    `\tstorage file_system ${opts.dir}`,
    "}",
  ].join("\n");
  return `${globals}\n\n${site}`;
}

export interface CaddyChild {
  /** The proxy's https origin, e.g. https://localhost:41234 — Portico's public URL. */
  origin: string;
  /** PEM of Caddy's local root CA, for `fetch(url, { tls: { ca } })`. */
  ca: string;
  caFile: string;
  caddyfile: string;
  /** What Caddy logged (JSON lines on stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `caddy run` with the README recipe and resolves once the proxy answers https with a certificate
 * from its local CA, proxied through to Portico's `/healthz`.
 */
export async function startCaddy(opts: { httpsPort: number; httpPort: number; upstreamPort: number; timeoutMs?: number }): Promise<CaddyChild> {
  const bin = requireCaddy();
  const dir = tempDir("portico-caddy-");
  const caddyfile = testCaddyfile({ ...opts, dir: join(dir, "storage") });
  const configPath = join(dir, "Caddyfile");
  writeFileSync(configPath, caddyfile);
  // HOME and XDG dirs point into the temp dir: Caddy writes nothing into the machine's own home.
  const proc = Bun.spawn([bin, "run", "--config", configPath, "--adapter", "caddyfile"], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, XDG_DATA_HOME: join(dir, "data"), XDG_CONFIG_HOME: join(dir, "config") },
  });
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output += decoder.decode(chunk);
  };
  void drain(proc.stdout as ReadableStream<Uint8Array>);
  void drain(proc.stderr as ReadableStream<Uint8Array>);
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited, Bun.sleep(5_000).then(() => null)]);
      if (exited === null) proc.kill("SIGKILL");
    }
    await proc.exited;
  };

  const origin = `https://localhost:${opts.httpsPort}`;
  const caFile = join(dir, "storage/pki/authorities/local/root.crt");
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last = "not started";
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break;
    if (existsSync(caFile)) {
      const ca = readFileSync(caFile, "utf8");
      try {
        const res = await fetch(`${origin}/healthz`, { tls: { ca } });
        if (res.status === 200) return { origin, ca, caFile, caddyfile, output: () => output, stop };
        last = `healthz ${res.status}`;
      } catch (err) {
        last = String(err);
      }
    }
    await Bun.sleep(100);
  }
  await stop();
  throw new Error(`caddy did not serve ${origin} (${last}); exit ${proc.exitCode}\n--- Caddyfile ---\n${caddyfile}\n--- caddy output ---\n${output.slice(-4000)}`);
}

/**
 * Portico served on a free port behind Caddy on free https/http ports, as the README's recipe says: the public URL
 * is the proxy's origin (`https://localhost:PORT`) and `--trusted-proxy` trusts the loopback proxy. Whatever started
 * is stopped again when the other does not start.
 */
export async function porticoBehindCaddy(dataDir: string): Promise<{ server: ServeChild; caddy: CaddyChild; origin: string }> {
  const [porticoPort, httpsPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const origin = `https://localhost:${httpsPort}`;
  let server: ServeChild | undefined;
  try {
    server = await serve(dataDir, ["--port", String(porticoPort), "--public-url", origin, "--trusted-proxy"]);
    const caddy = await startCaddy({ httpsPort, httpPort, upstreamPort: porticoPort });
    return { server, caddy, origin };
  } catch (err) {
    await server?.stop();
    throw err;
  }
}
