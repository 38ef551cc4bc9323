/**
 * `/readyz` reports the database (issue 15): each check with its latency, 200 when all pass, 503 with a JSON
 * reason when one fails — over a real listener, as a load balancer or process manager asks.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server";
import { startTestServer } from "../helpers";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("/readyz", () => {
  test("ready: the database answers on the open handle (engine and latency shown), the change feed is healthy", async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body).toEqual({
      status: "ready",
      checks: {
        database: { engine: "sqlite", ok: true, latencyMs: expect.any(Number) },
        changes: { ok: true, latencyMs: expect.any(Number) },
      },
    });
    expect(body.checks.database.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.checks.database.latencyMs).toBeLessThan(1000);
  });

  test("a database that does not answer is a 503 naming it, with a reason safe to show (the error itself is logged)", async () => {
    const s = await startTestServer();
    server = s;
    s.deps.db.$client.close();
    const res = await fetch(`${s.url}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toEqual({
      status: "unavailable",
      reason: "database",
      checks: {
        database: { engine: "sqlite", ok: false, latencyMs: expect.any(Number), reason: "the database does not answer" },
        changes: { ok: true, latencyMs: expect.any(Number) },
      },
    });
    expect(s.logs.text).toContain("readiness check failed");
  });
});
