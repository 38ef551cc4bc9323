/**
 * Where a scenario's time goes: provisions like `npm run bench`, runs the server FROM SOURCE under
 * `bun --cpu-prof` (pinned to the server core), loads one scenario, stops it gracefully (the profile is
 * written on exit) and prints the functions with the most self time, and the same summed by source file.
 *   bun test/bench/profile.ts interactive-jwt|interactive-key|script-jwt|list|initialize [seconds]
 *   bun test/bench/profile.ts FILE.cpuprofile      (summarize a profile written elsewhere)
 * With BENCH_DATABASE_URL (as in run.ts) the server runs on a fresh Postgres database of that server, dropped after.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { oauthBrowser } from "./oauth-flow";
import { runLoad } from "./load";
import { ROOT, buildIfStale, pinSelf, startPortico } from "./processes";
import { requireWrk } from "./wrk";
import { createBenchDatabase } from "./postgres";
import { EMAIL, ORG, PASSWORD, PROJECT, provision } from "./provision";
import { INITIALIZE, INITIALIZED, INTERACTIVE_CALL, SCRIPT_CALL, TOOLS_LIST, mcpHeaders, probe, type McpBody } from "./scenarios";

const SCENARIOS: Record<string, { bodies: McpBody[]; credential: "jwt" | "key" }> = {
  "interactive-jwt": { bodies: [INTERACTIVE_CALL], credential: "jwt" },
  "interactive-key": { bodies: [INTERACTIVE_CALL], credential: "key" },
  "script-jwt": { bodies: [SCRIPT_CALL], credential: "jwt" },
  list: { bodies: [TOOLS_LIST], credential: "jwt" },
  initialize: { bodies: [INITIALIZE, INITIALIZED], credential: "jwt" },
};

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const where = (frame: Node["callFrame"]) => frame.url.replace(/^.*\/(src|node_modules)\//, "$1/") || "(native)";
const label = (frame: Node["callFrame"]) => `${frame.functionName || "(anonymous)"}  ${where(frame)}:${frame.lineNumber + 1}`;

/** The stack of a sample, leaf first. */
function stackOf(id: number, byId: Map<number, Node>, parent: Map<number, number>): Node["callFrame"][] {
  const frames: Node["callFrame"][] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at)!.callFrame);
  return frames;
}

/**
 * Self time per function and per file, and total (inclusive) time per function of ours, from a
 * .cpuprofile (Chrome format: nodes with children, samples, timeDeltas) — only over the load window
 * (first to last sample inside the MCP handler), so start-up and shutdown do not dilute it.
 */
function summarize(profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] }, top = 40): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = profile.samples.map((id) => stackOf(id, byId, parent));
  const inHandler = stacks.map((st) => st.some((f) => f.functionName === "handlePost"));
  const first = inHandler.indexOf(true);
  const last = inHandler.lastIndexOf(true);
  const self = new Map<string, number>();
  const file = new Map<string, number>();
  const inclusive = new Map<string, number>();
  /** Native and library self time, charged to the nearest function of ours that called it. */
  const charged = new Map<string, number>();
  /** Self time of samples outside the MCP handler (HTTP server, GC, timers, idle). */
  const outside = new Map<string, number>();
  let total = 0;
  let handler = 0;
  const add = (m: Map<string, number>, k: string, dt: number) => m.set(k, (m.get(k) ?? 0) + dt);
  for (let i = first; i <= last && i >= 0; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const stack = stacks[i]!;
    total += dt;
    if (inHandler[i]) handler += dt;
    add(self, label(stack[0]!), dt);
    add(file, where(stack[0]!), dt);
    if (!inHandler[i]) add(outside, stack.slice(0, 3).map(label).join("  ← "), dt);
    const ours = stack.find((f) => f.url.includes("/src/"));
    if (ours && !stack[0]!.url.includes("/src/")) add(charged, `${label(stack[0]!)}  ← ${label(ours)}`, dt);
    const seen = new Set<string>();
    for (const f of stack) {
      const k = label(f);
      if (f.url.includes("/src/") && !seen.has(k)) add(inclusive, k, dt), seen.add(k);
    }
  }
  const list = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
  return [
    `Load window: ${(total / 1e6).toFixed(1)} s sampled, ${((handler / total) * 100).toFixed(1)} % inside handlePost (the rest: Bun's HTTP server, GC, idle).`,
    "", "Self time by function:", ...list(self), "", "Self time by file:", ...list(file),
    "", "Total time of our functions (incl. callees):", ...list(inclusive),
    "", "Native/library self time by the function of ours that called it:", ...list(charged),
    "", "Outside the MCP handler (leaf ← callers):", ...list(outside),
  ].join("\n");
}

if (process.argv[2]?.endsWith(".cpuprofile")) {
  console.log(summarize(JSON.parse(readFileSync(process.argv[2], "utf8"))));
  process.exit(0);
}
const name = process.argv[2] ?? "interactive-jwt";
const scenario = SCENARIOS[name];
if (!scenario) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(", ")}`);
const seconds = Number(process.argv[3] ?? 10);

requireWrk();
pinSelf();
buildIfStale(false);
const dataDir = mkdtempSync(join(tmpdir(), "portico-profile-"));
const profDir = join(dataDir, "prof");
const pg = process.env.BENCH_DATABASE_URL?.trim() ? await createBenchDatabase(process.env.BENCH_DATABASE_URL.trim()) : null;
const { apiKey } = provision(dataDir, pg?.url);
const server = await startPortico(dataDir, join(dataDir, "serve.log"), [process.execPath, "--cpu-prof", `--cpu-prof-dir=${profDir}`, join(ROOT, "src/main.ts")], pg ? ["--database-url", pg.url] : []);
const url = `${server.url}/${ORG}/${PROJECT}`;
const bearer = scenario.credential === "key" ? apiKey : (await (await oauthBrowser(server.url, EMAIL, PASSWORD)).authorize(url)).access_token;
const checked = await probe(url, mcpHeaders(bearer), scenario.bodies);
if (checked.problem) throw new Error(`probe failed: ${checked.problem}`);
const res = await runLoad({ url, headers: mcpHeaders(bearer), bodies: scenario.bodies.map((b) => JSON.stringify(b.json)), duration: seconds, handshake: scenario.bodies[0] === INITIALIZE });
await server.stop();
await pg?.drop();
const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no profile written in ${profDir}`);
console.log(`${name}: ${res.rps.toFixed(0)} req/s, p50 ${res.p50} ms, p99 ${res.p99} ms (under the profiler)\nprofile: ${join(profDir, file)}\n`);
console.log(summarize(JSON.parse(readFileSync(join(profDir, file), "utf8"))));
