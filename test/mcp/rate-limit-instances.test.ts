/**
 * The per-credential and per-IP MCP limits across instances (issue 15): two real listeners on one data dir
 * stand for two `portico serve` processes. These limits are counted in memory and synced every ~100 ms
 * (src/lib/synced-rate-limit.ts), so across instances they hold within the documented bound — limit +
 * instances × hits per sync interval — and the test syncs at known points to check that bound exactly.
 */
import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import type { RunningServer } from "../../src/server";
import { setVisibility } from "../../src/projects/publish";
import { startTestServer } from "../helpers";
import { mcpFixture, rpc, type McpFixture } from "./fixture";

const PING = { jsonrpc: "2.0", id: 1, method: "ping" };
const MINUTE = 60_000;

let f: McpFixture | undefined;
let others: RunningServer[] = [];
afterEach(async () => {
  setSystemTime();
  for (const s of others) await s.stop();
  others = [];
  await f?.stop();
  f = undefined;
});

/** Freezes the clock just after a minute starts, so a test's requests cannot straddle two windows. */
function freezeAtWindowStart(): number {
  const now = Date.now();
  const start = now - (now % MINUTE) + 1_000;
  setSystemTime(new Date(start));
  return start;
}

/** A second instance on the fixture's data dir, and the same MCP URL on it. */
async function secondInstance(fixture: McpFixture, limits: { principalRateLimit?: number; publicRateLimit?: number }) {
  const server = await startTestServer({ dataDir: fixture.deps.config.dataDir, ...limits });
  others.push(server);
  const url = (channel?: "production" | "draft") => fixture.url(channel).replace(fixture.server.url, server.url);
  // Both write their hits; an instance reads a key's total back with its next sync of hits on that key.
  const syncBoth = async () => {
    await fixture.deps.rateLimits.sync();
    await server.deps.rateLimits.sync();
  };
  return { server, url, syncBoth };
}

describe("MCP rate limits across instances", () => {
  test("attack: a credential alternating between two instances is refused once the shared count passes the limit, within the bound", async () => {
    freezeAtWindowStart();
    const LIMIT = 20;
    const PER_SYNC = 3; // requests per instance between the syncs the test forces
    f = await mcpFixture({ principalRateLimit: LIMIT });
    const b = await secondInstance(f, { principalRateLimit: LIMIT });
    const auth = { authorization: `Bearer ${await f.keyFor("viewer")}` };
    const sync = b.syncBoth;
    let ok = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < PER_SYNC; i++) {
        for (const url of [f.url(), b.url()]) if ((await rpc(url, PING, auth)).status === 200) ok++;
      }
      await sync();
    }
    // Never refused below the limit; at most each instance's unsynced requests above it (one instance alone would allow 2 × LIMIT).
    expect(ok).toBeGreaterThanOrEqual(LIMIT);
    expect(ok).toBeLessThanOrEqual(LIMIT + 2 * PER_SYNC);
    await sync();
    for (const url of [f.url(), b.url()]) {
      const res = await rpc(url, PING, auth);
      expect(res.status).toBe(429);
      expect(res.headers.get("ratelimit-limit")).toBe(String(LIMIT));
    }
    // Another credential is not affected.
    expect((await rpc(b.url(), PING, { authorization: `Bearer ${await f.keyFor("viewer")}` })).status).toBe(200);
  });

  test("anonymous callers of a public project share one per-IP count; the next window starts afresh on both", async () => {
    const start = freezeAtWindowStart();
    f = await mcpFixture({ publicRateLimit: 4 });
    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    const b = await secondInstance(f, { publicRateLimit: 4 });
    let ok = 0;
    for (let round = 0; round < 4; round++) {
      for (const url of [f.url(), b.url()]) if ((await rpc(url, PING)).status === 200) ok++;
      await b.syncBoth();
    }
    // Each instance alone would allow 4 (8 in all); shared, at most one unsynced request per instance over.
    expect(ok).toBeGreaterThanOrEqual(4);
    expect(ok).toBeLessThanOrEqual(4 + 2);
    expect((await rpc(f.url(), PING)).status).toBe(429);
    expect((await rpc(b.url(), PING)).status).toBe(429);
    setSystemTime(new Date(start + MINUTE));
    expect((await rpc(f.url(), PING)).status).toBe(200);
    expect((await rpc(b.url(), PING)).status).toBe(200);
  });

  test("a restart does not reset a window: the counts synced at shutdown hold on the next start", async () => {
    freezeAtWindowStart();
    f = await mcpFixture({ principalRateLimit: 5 });
    const auth = { authorization: `Bearer ${await f.keyFor("viewer")}` };
    for (let i = 0; i < 5; i++) expect((await rpc(f.url(), PING, auth)).status).toBe(200);
    const b = await secondInstance(f, { principalRateLimit: 5 });
    await f.stop(); // graceful: the last hits are synced at shutdown
    f = { ...f, stop: async () => {} };
    // The new instance learns the count at its first sync (the bound: one sync interval's requests).
    await rpc(b.url(), PING, auth);
    await b.server.deps.rateLimits.sync();
    expect((await rpc(b.url(), PING, auth)).status).toBe(429);
  });
});
