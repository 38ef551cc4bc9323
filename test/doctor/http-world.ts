/**
 * The connection doctor's tests over real HTTP: a listening server (startTestServer), the OAuth fixtures'
 * seeded world, and an `App`-shaped adapter whose `handle` sends each request over the network to that
 * server — so the OAuth walk of test/oauth/fixtures.ts runs unchanged against a real listener.
 */
import { setSystemTime } from "bun:test";
import type { App } from "../../src/app";
import { getUser } from "../../src/auth/users";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { projectAccess } from "../../src/services/access";
import { diagnoseConnections } from "../../src/services/doctor";
import type { ConfigInput } from "../../src/config";
import { ECHO_TOOL } from "../mcp/fixture";
import { startTestServer } from "../helpers";
import { seedWorld } from "../oauth/fixtures";

/** An App whose requests go over HTTP to `base` (the path and query of each request kept; redirects not followed). */
export function overHttp(base: string): App {
  const handle = async (r: Request) => {
    const u = new URL(r.url);
    const body = r.method === "GET" || r.method === "HEAD" ? undefined : await r.arrayBuffer();
    return fetch(`${base}${u.pathname}${u.search}`, { method: r.method, headers: r.headers, body, redirect: "manual" });
  };
  return { handle } as unknown as App;
}

type Running = Awaited<ReturnType<typeof startTestServer>>;
export interface DoctorWorld {
  server: Running;
  app: App;
  w: Awaited<ReturnType<typeof seedWorld>>;
  /** The doctor's report for `shop`, as its owner sees it. */
  diagnose(clientId?: string): ReturnType<typeof diagnoseConnections>;
  /** One tools/call on `path` with `bearer` over HTTP: the status and challenge. */
  call(bearer: string, path?: string): Promise<{ status: number; challenge: string }>;
}

const servers: Running[] = [];

/**
 * Stops the worlds of the test that just ran and puts the clock back. Each test file registers it with its own
 * `afterEach`: a hook registered here, at module level, would belong to the first file that imports this module
 * only — in one `bun test` process (the Postgres suite) the later files' servers, and their database
 * connections, would never be stopped.
 */
export async function stopDoctorWorlds(): Promise<void> {
  setSystemTime();
  for (const s of servers.splice(0)) await s.stop();
}

/** A server (stopped after the test) with the seeded world and the echo tool published on `shop`. */
export async function doctorWorld(overrides: ConfigInput = {}): Promise<DoctorWorld> {
  const server = await startTestServer(overrides);
  servers.push(server);
  const w = await seedWorld(server.deps);
  await createDraftTool(server.deps, w.shop.id, ECHO_TOOL);
  await publish(server.deps, w.shop.id, w.users.owner.id);
  const base = `http://127.0.0.1:${server.port}`;
  const app = overHttp(base);
  return {
    server,
    app,
    w,
    diagnose: async (clientId) => {
      const access = await projectAccess(server.deps, await getUser(server.deps.db, w.users.owner.id), { kind: "operator" }, "acme", "shop");
      return diagnoseConnections(server.deps, access, clientId ? { clientId } : {});
    },
    call: async (bearer, path = "/acme/shop") => {
      const res = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } }),
      });
      await res.text();
      return { status: res.status, challenge: res.headers.get("www-authenticate") ?? "" };
    },
  };
}
