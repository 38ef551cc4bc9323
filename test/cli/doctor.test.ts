/**
 * Issue 17: `portico doctor --project ORG/P [--client ID] [--json] [--no-self-check]`, run as a separate
 * process on the data dir of a server that is running (SQLite WAL), with a seeded project and handshake rows.
 * The self-check fetches the public URL given on the command line: the running server's, or one where
 * nothing answers (one failed item, exit 0).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { recordHandshake } from "../../src/doctor/handshake";
import type { RunningServer } from "../../src/server";
import { freePort, startTestServer, tempDir } from "../helpers";
import { seedWorld } from "../fixtures/world";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const dataDir = tempDir("portico-doctor-cli-");
let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer({ dataDir });
  const w = await seedWorld(server.deps, { sessions: false, projects: [{ slug: "shop" }, { slug: "quiet" }] });
  const { db } = server.deps;
  const t0 = Date.UTC(2026, 11, 2, 9, 0, 0);
  await recordHandshake(db, { projectId: w.project.id, clientId: "host-a", step: "authorize", outcome: "ok" }, t0);
  await recordHandshake(db, { projectId: w.project.id, clientId: "host-a", step: "token", outcome: "ok" }, t0 + 1_000);
  await recordHandshake(db, { projectId: w.project.id, clientId: "host-a", step: "mcp", outcome: "ok", protocolVersion: "2025-11-25" }, t0 + 2_000);
  for (let i = 0; i < 7; i++) {
    await recordHandshake(db, { projectId: w.project.id, clientId: "host-b", step: "refresh", outcome: "fail", reason: "invalid_grant: refresh token reused" }, t0 + 10_000 + i);
  }
}, 30_000);
afterAll(() => server.stop());

/** `portico doctor …` in its own process (the server keeps answering in this one meanwhile). */
async function doctor(...args: string[]) {
  const proc = Bun.spawn([process.execPath, MAIN, "doctor", ...args, "--data-dir", dataDir], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dataDir },
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}


describe("portico doctor", () => {
  test("prints the self-check as a ✓ checklist, then each client's findings and its last few events, newest first", async () => {
    const r = await doctor("--project", "acme/shop", "--public-url", server.url);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe(`Connection doctor for acme/shop — public URL ${server.url}`);
    expect(r.out).toContain("Self-check (the public URL fetched as a host would): all passed");
    const checks = lines.filter((l) => /^ {2}[✓✗] /.test(l));
    expect(checks.length).toBe(11);
    expect(checks.every((l) => l.startsWith("  ✓ "))).toBe(true);
    expect(r.out).toContain(`      POST ${server.url}/acme/shop (initialize, no token) → 401`);
    const clients = r.out.slice(r.out.indexOf("Clients (newest activity first):"));
    expect(clients.indexOf("  host-b — last seen 2026-12-02 09:00:10 UTC")).toBeGreaterThan(0);
    expect(clients.indexOf("  host-a — last seen 2026-12-02 09:00:02 UTC, MCP 2025-11-25")).toBeGreaterThan(clients.indexOf("host-b"));
    // Five of host-b's seven events, each with its reason.
    expect(clients).toContain("    Last events (5 of 7):");
    expect(clients.split("refresh  failed — invalid_grant: refresh token reused").length - 1).toBe(5);
    expect(clients).toContain("      2026-12-02 09:00:01 UTC  token  ok");
  });

  test("--json prints the report; --client narrows it; --no-self-check leaves the checklist out", async () => {
    const r = await doctor("--project", "acme/shop", "--client", "host-a", "--no-self-check", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ org: "acme", project: "shop", selfCheck: null, projectFindings: expect.any(Array) });
    expect(report.clients).toHaveLength(1);
    expect(report.clients[0]).toMatchObject({ clientId: "host-a", protocolVersion: "2025-11-25" });
    expect(report.clients[0].events.map((e: { step: string }) => e.step)).toEqual(["mcp", "token", "authorize"]);
  });

  test("when nothing answers at the public URL, the self-check is one failed item, and the command still succeeds", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = await doctor("--project", "acme/shop", "--public-url", dead);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Self-check (the public URL fetched as a host would): 1 failed");
    expect(r.out).toContain("  ✗ The production MCP URL asks hosts to sign in (401 with resource_metadata)");
    expect(r.out).toContain(`Fetching ${dead}/acme/shop failed: the server cannot reach its own public URL: `);
    expect(r.out).toContain("Clients (newest activity first):");
  });

  test("a project without any connection says how to connect; a missing one exits 1 naming it; --help lists the flags", async () => {
    const quiet = await doctor("--project", "acme/quiet", "--no-self-check");
    expect(quiet.code).toBe(0);
    expect(quiet.out).toContain("No host has tried to connect yet. Paste the project URL into a host");
    expect(quiet.out).toContain("/acme/quiet   (draft: ");
    const bad = await doctor("--project", "acme/nope", "--no-self-check");
    expect(bad.code).toBe(1);
    expect(bad.err.trim()).toBe('portico doctor: No project "acme/nope".');
    const help = await doctor("--help");
    expect(help.code).toBe(0);
    for (const flag of ["--project ORG/PROJECT", "--client ID", "--no-self-check", "--json"]) expect(help.out).toContain(flag);
  });
});
