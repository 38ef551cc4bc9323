/**
 * What a 2025 session costs per request, in µs, in-process through `app.handle` (no HTTP): `initialize` +
 * `notifications/initialized` (a session made), a `ping` on a session (the lookup on every later request)
 * and the same `ping` without a session (the baseline: guard, API key, dispatch). Best of 5 rounds.
 * Issue 15 moved sessions into `mcp_sessions`; run this on both sides of that change to compare.
 *   bun test/bench/session-lookup.ts
 */
import { seedWorld } from "../fixtures/world";
import { makeApp } from "../helpers";

const t = await makeApp();
const w = await seedWorld(t.deps, { sessions: false });
const { key } = await w.apiKey("owner", { scopes: ["project:read", "tools:call"] });
const url = w.url();
const headers = { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" };
const post = (body: unknown, extra: Record<string, string> = {}) => t.app.handle(new Request(url, { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify(body) }));
const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench", version: "1" } } };
const INITIALIZED = { jsonrpc: "2.0", method: "notifications/initialized" };
const PING = { jsonrpc: "2.0", id: 2, method: "ping" };

async function time(name: string, n: number, fn: () => Promise<unknown>, say: boolean): Promise<void> {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await fn();
    if (r > 0) rounds.push(((performance.now() - start) * 1000) / n);
  }
  if (say) console.log(`${Math.min(...rounds).toFixed(1).padStart(8)} µs  ${name}`);
}

const init = await post(INIT);
const sid = init.headers.get("mcp-session-id")!;
await init.text();
const ok = await post(PING, { "mcp-session-id": sid });
if (ok.status !== 200) throw new Error(`session ping: ${ok.status} ${await ok.text()}`);

// Two passes, the first a warm-up for the JIT (its figures are not printed).
for (const pass of [1, 2]) {
  const say = pass === 2;
  await time("ping without a session (baseline)", 2000, async () => (await post(PING)).text(), say);
  await time("ping on a session (lookup)", 2000, async () => (await post(PING, { "mcp-session-id": sid })).text(), say);
  await time("initialize + notifications/initialized", 1000, async () => {
    const r = await post(INIT);
    const id = r.headers.get("mcp-session-id")!;
    await r.text();
    await (await post(INITIALIZED, { "mcp-session-id": id })).text();
  }, say);
}
await t.close();
