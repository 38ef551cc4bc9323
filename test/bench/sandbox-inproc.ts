/**
 * CPU µs per tools/call through `app.handle` in this process (no HTTP): the script tool against the
 * interactive tool, serially and with 16 in flight, so the cost around the sandbox can be told from the
 * sandbox's own. Run pinned to one core: `taskset -c 0 bun test/bench/sandbox-inproc.ts`. AUDIT_FAST=1 runs the
 * server with `auditDurability: "fast"`; ONLY_SCRIPT=1 skips the serial rows (for `bun --cpu-prof`).
 *
 * Found with it (issue 19): with durable audit each script call gets its own audit commit — script results
 * come back from the one worker one per event-loop turn, so group commit has nothing to group — which
 * costs about 100–170 µs of CPU per script call (16 in flight: 600 µs durable against 433 µs fast).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createDeps, shutdown } from "../../src/deps";
import { createLogger } from "../../src/lib/log";
import { ORG, PROJECT, provision } from "./provision";
import { INTERACTIVE_CALL, SCRIPT_CALL, mcpHeaders } from "./scenarios";

const dataDir = mkdtempSync(join(tmpdir(), "portico-inproc-"));
const { apiKey } = provision(dataDir);
const url = "http://127.0.0.1:9";
const config = loadConfig({ dataDir, publicUrl: url, logLevel: "warn", principalRateLimit: 100_000_000, ...(process.env.AUDIT_FAST ? { auditDurability: "fast" } : {}) }, {});
const deps = await createDeps(config, { log: createLogger("warn") });
const app = await createApp(deps);
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const call = (body: string) => app.handle(new Request(`${url}/${ORG}/${PROJECT}`, { method: "POST", headers: mcpHeaders(apiKey), body })).then((r) => r.text());

/** Best of 5 rounds of `n` calls, `inFlight` at a time: CPU µs per call (all threads) and calls/s. */
async function measure(name: string, body: string, n: number, inFlight: number): Promise<void> {
  let best = Infinity;
  let rate = 0;
  for (let r = 0; r < 6; r++) {
    const c = cpu();
    const t = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => { for (let i = 0; i < n / inFlight; i++) await call(body); }));
    const us = (cpu() - c) / n;
    if (r > 0 && us < best) [best, rate] = [us, n / ((performance.now() - t) / 1000)];
  }
  console.log(`${best.toFixed(1).padStart(8)} µs CPU  ${rate.toFixed(0).padStart(6)}/s  ${name}`);
}

const probe = await call(JSON.stringify(SCRIPT_CALL.json));
if (!probe.includes('\\"sum\\":3') && !probe.includes('"sum":3')) throw new Error(`script call failed: ${probe.slice(0, 300)}`);
if (!process.env.ONLY_SCRIPT) await measure("tools/call interactive · API key, serial", JSON.stringify(INTERACTIVE_CALL.json), 5000, 1);
if (!process.env.ONLY_SCRIPT) await measure("tools/call script · API key, serial", JSON.stringify(SCRIPT_CALL.json), 2000, 1);
await measure("tools/call script · API key, 16 in flight", JSON.stringify(SCRIPT_CALL.json), 2000, 16);
await deps.audit.flush();
await shutdown(deps);
process.exit(0);
