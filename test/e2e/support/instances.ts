/**
 * Several `portico serve` processes on one database (issue 15), as an operator runs them behind a load balancer:
 * every instance gets the same public URL (the issuer and every MCP URL are built from it, never from Host),
 * and the test talks to each one's own port, as a balancer without stickiness would. The backend is a
 * parameter: SQLite shares one data dir; Postgres shares one database (`--database-url`), each instance
 * keeping only key files in the data dir.
 */
import { join } from "node:path";
import { CookieJar } from "../../helpers";
import { signIn } from "./oauth";
import { freePort, portico, provision, PASSWORD, serve, type Project, type ServeChild } from "./portico";
import { createTestDatabase, POSTGRES } from "../../fixtures/postgres";

export interface Instance {
  /** This instance's own address (what a balancer would forward to). */
  base: string;
  child: ServeChild;
  /** The MCP URL of a channel on this instance's port. */
  mcp(channel?: "production" | "draft"): string;
}

export interface Pair {
  project: Project;
  /** The shared public URL: token audiences (`resource`) are built from it. */
  publicUrl: string;
  resource(channel?: "production" | "draft"): string;
  a: Instance;
  b: Instance;
  /** Starts one more instance on the same database with extra environment (rejects when it will not start). */
  another(env: Record<string, string>): Promise<ServeChild>;
  stop(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Why this backend cannot run yet (the test is skipped with this reason), or null. */
  unavailable: string | null;
  start(members: Array<{ email: string; role: string }>): Promise<Pair>;
}

const MANIFEST = join(import.meta.dir, "../fixtures/shop-manifest.json");
/** Rate limits are per instance until they move into the database; the hammering must not meet them. */
const FLAGS = ["--principal-rate-limit", "10000000"];

function instance(child: ServeChild, p: Project): Instance {
  const base = `http://127.0.0.1:${child.port}`;
  return { base, child, mcp: (channel = "production") => `${base}/${p.org}/${p.slug}${channel === "draft" ? "/draft" : ""}` };
}

async function pairOn(project: Project, startOne: (publicUrl: string, env?: Record<string, string>) => Promise<ServeChild>): Promise<Pair> {
  // A port nothing listens on: only the URLs' text matters, as behind a balancer.
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  const [a, b] = await Promise.all([startOne(publicUrl), startOne(publicUrl)]);
  return {
    project,
    publicUrl,
    resource: (channel = "production") => `${publicUrl}/${project.org}/${project.slug}${channel === "draft" ? "/draft" : ""}`,
    a: instance(a, project),
    b: instance(b, project),
    another: (env) => startOne(publicUrl, env),
    stop: async () => {
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}

export const BACKENDS: Backend[] = [
  {
    name: "SQLite data dir (two processes, one machine)",
    unavailable: null,
    start: async (members) => {
      const project = await provision({ manifestFile: MANIFEST });
      for (const m of members) {
        await portico(project.dataDir, "user", "create", "--email", m.email, "--password", PASSWORD);
        await portico(project.dataDir, "member", "add", "--org", project.org, "--email", m.email, "--role", m.role);
      }
      return pairOn(project, (publicUrl, env = {}) => serve(project.dataDir, ["--public-url", publicUrl, ...FLAGS], env));
    },
  },
  {
    name: "Postgres (--database-url)",
    unavailable: POSTGRES.ok ? null : POSTGRES.reason,
    start: async (members) => {
      const database = await createTestDatabase();
      const project = await provision({ manifestFile: MANIFEST, databaseUrl: database.url });
      const where = { dataDir: project.dataDir, databaseUrl: database.url };
      for (const m of members) {
        await portico(where, "user", "create", "--email", m.email, "--password", PASSWORD);
        await portico(where, "member", "add", "--org", project.org, "--email", m.email, "--role", m.role);
      }
      const pair = await pairOn(project, (publicUrl, env = {}) => serve(where, ["--public-url", publicUrl, ...FLAGS], env));
      return { ...pair, stop: async () => { await pair.stop(); await database.drop(); } };
    },
  },
];

/** A signed-in browser on an instance, with the CSRF token its JSON API writes need. */
export async function browserOn(inst: Instance, email: string): Promise<{ jar: CookieJar; write(method: string, path: string, body?: unknown): Promise<Response>; get(path: string): Promise<any> }> {
  const jar = await signIn(inst.base, email, PASSWORD);
  const me = (await (await fetch(`${inst.base}/api/v1/me`, { headers: { cookie: jar.header } })).json()) as { csrfToken: string };
  return {
    jar,
    write: (method, path, body) =>
      fetch(`${inst.base}/api/v1${path}`, {
        method,
        headers: { cookie: jar.header, "x-csrf-token": me.csrfToken, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    get: async (path) => (await fetch(`${inst.base}/api/v1${path}`, { headers: { cookie: jar.header } })).json(),
  };
}

/** One call's book: when it started and ended (this process's clock), and whether it succeeded. */
export interface CallRecord {
  start: number;
  end: number;
  status: number;
  ok: boolean;
}

/** A `card` tools/call (interactive: no sandbox, the cheap path); ok = HTTP 200 with a result that is not an error. */
export async function cardCall(url: string, bearer: string): Promise<CallRecord> {
  const start = performance.now();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "card", arguments: { text: "hammer" } } }),
    });
    const text = await res.text();
    const ok = res.status === 200 && text.includes('"result"') && !text.includes('"isError":true');
    return { start, end: performance.now(), status: res.status, ok };
  } catch {
    return { start, end: performance.now(), status: 0, ok: false };
  }
}

/**
 * Hammers `url` with `loops` concurrent call loops; after `leadMs` runs `act` (a revocation on the other
 * instance) and notes when its response arrived; keeps going `tailMs` more. Returns every call and that moment.
 */
export async function hammerDuring(url: string, bearer: string, act: () => Promise<Response>, opts = { loops: 4, leadMs: 400, tailMs: 600 }): Promise<{ calls: CallRecord[]; acknowledgedAt: number; actStatus: number }> {
  const calls: CallRecord[] = [];
  let stop = false;
  const loops = Array.from({ length: opts.loops }, async () => {
    while (!stop) calls.push(await cardCall(url, bearer));
  });
  await Bun.sleep(opts.leadMs);
  const res = await act();
  const acknowledgedAt = performance.now();
  await res.body?.cancel();
  await Bun.sleep(opts.tailMs);
  stop = true;
  await Promise.all(loops);
  return { calls, acknowledgedAt, actStatus: res.status };
}

export { sseMessages } from "../../sse";
