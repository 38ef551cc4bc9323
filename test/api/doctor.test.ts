/**
 * Issue 17: `GET /api/v1/projects/{org}/{project}/doctor[?client=ID]` — the connection doctor's report and the
 * self-check, over a real listener (the self-check fetches the server's own public URL). Developers and up with
 * a session; an API key needs `settings`; viewers are refused in the API's error form.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { allowedScopes } from "../../src/auth/scopes";
import { recordHandshake } from "../../src/doctor/handshake";
import type { RunningServer } from "../../src/server";
import { startTestServer } from "../helpers";
import { seedWorld, type SignedInWorld } from "../fixtures/world";

let server: RunningServer;
let w: SignedInWorld;

beforeAll(async () => {
  server = await startTestServer();
  w = await seedWorld(server.deps);
  const db = server.deps.db;
  const pid = w.project.id;
  // Two hosts' steps: one got as far as the MCP call, one failed at the token endpoint.
  await recordHandshake(db, { projectId: pid, step: "resource_metadata", outcome: "ok" }, 1_000);
  await recordHandshake(db, { projectId: pid, clientId: "host-a", step: "authorize", outcome: "ok" }, 2_000);
  await recordHandshake(db, { projectId: pid, clientId: "host-a", step: "mcp", outcome: "ok", protocolVersion: "2025-11-25" }, 3_000);
  await recordHandshake(db, { projectId: pid, clientId: "host-b", step: "token", outcome: "fail", reason: "invalid_grant: PKCE verifier did not match" }, 4_000);
}, 30_000);
afterAll(() => server.stop());

async function get(path: string, auth: { cookie?: string; key?: string }) {
  const headers: Record<string, string> = {};
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  const res = await fetch(`${server.url}/api/v1${path}`, { headers });
  return { status: res.status, json: (await res.json()) as any };
}

describe("GET /api/v1/projects/{org}/{project}/doctor", () => {
  test("an owner gets each client's steps, newest activity first, and a passing self-check of the public URL", async () => {
    const { status, json } = await get("/projects/acme/shop/doctor", { cookie: w.members.owner.cookie });
    expect(status).toBe(200);
    expect(json).toMatchObject({ org: "acme", project: "shop", publicUrl: server.url, projectFindings: expect.any(Array) });
    expect(json.clients.map((c: { clientId: string | null }) => c.clientId)).toEqual(["host-b", "host-a", null]);
    const b = json.clients[0];
    expect(b.events).toEqual([expect.objectContaining({ step: "token", outcome: "fail", reason: "invalid_grant: PKCE verifier did not match", time: 4_000 })]);
    expect(json.clients[1]).toMatchObject({ clientId: "host-a", protocolVersion: "2025-11-25", lastSeen: 3_000 });
    expect(json.clients[1].events.map((e: { step: string }) => e.step)).toEqual(["mcp", "authorize"]);
    expect(json.selfCheck.length).toBeGreaterThan(5);
    expect(json.selfCheck.filter((i: { ok: boolean }) => !i.ok)).toEqual([]);
    expect(json.selfCheck[0]).toEqual({ id: "https", ok: true, title: expect.any(String), detail: expect.any(String) });
  });

  test("?client= narrows to one client; selfCheck=false skips the fetches", async () => {
    const { status, json } = await get("/projects/acme/shop/doctor?client=host-a&selfCheck=false", { cookie: w.members.developer.cookie });
    expect(status).toBe(200);
    expect(json.clients.map((c: { clientId: string }) => c.clientId)).toEqual(["host-a"]);
    expect(json.selfCheck).toBeNull();
  });

  test("a viewer is refused with 403 in the API's error form; an unknown project is 404", async () => {
    const viewer = await get("/projects/acme/shop/doctor", { cookie: w.members.viewer.cookie });
    expect(viewer.status).toBe(403);
    expect(viewer.json).toEqual({ error: { code: "forbidden", message: expect.stringContaining("read the connection doctor") } });
    const missing = await get("/projects/acme/nope/doctor", { cookie: w.members.owner.cookie });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("not_found");
    const outsider = await get("/projects/acme/shop/doctor", { cookie: w.members.outsider.cookie });
    expect(outsider.status).toBe(404);
  });

  test("an API key reads it with the settings scope; an MCP-only key is refused, naming the scope", async () => {
    const withSettings = await w.apiKey("admin", { scopes: allowedScopes("admin", "production") });
    const ok = await get("/projects/acme/shop/doctor?selfCheck=false", { key: withSettings.key });
    expect(ok.status).toBe(200);
    expect(ok.json.clients).toHaveLength(3);
    const mcpOnly = await w.apiKey("owner");
    const refused = await get("/projects/acme/shop/doctor?selfCheck=false", { key: mcpOnly.key });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain('lacks "settings"');
  });

  test("the OpenAPI document lists the route under its own tag", async () => {
    const { json } = await get("/openapi.json", { cookie: w.members.owner.cookie });
    expect(json.paths["/api/v1/projects/{org}/{project}/doctor"].get).toMatchObject({ tags: ["doctor"], summary: expect.stringContaining("Diagnose why a host cannot connect") });
  });
});
