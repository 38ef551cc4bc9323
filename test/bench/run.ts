/**
 * `npm run bench` (the targets in README, "Performance"). Builds dist/portico when missing or older than
 * the sources, provisions a fresh data dir with the binary's CLI, obtains OAuth tokens through the real
 * flow, and measures — in one run, the server on one core and wrk on the other — the raw Bun echo
 * baseline (before and after) and Portico's MCP scenarios; then the audit writer alone, cold starts and RSS.
 * Env: BENCH_DURATION (s per load scenario, default 10), BENCH_FULL=1 (60 s RSS soak instead of 15 s),
 * BENCH_SOAK (soak seconds, overrides both), BENCH_REBUILD=1 (always build), BENCH_AUDIT_FAST=1 (a second pass with
 * `--audit-durability fast`, to show what the default durable audit costs), BENCH_DATABASE_URL
 * (postgres://… of a server: the Portico scenarios run a second time on a fresh database created there —
 * rows labelled "· postgres" — and one row compares CPU per tools/call; postgres.ts), BENCH_ONLY (a regular expression:
 * only the scenarios whose name it matches run, e.g. `BENCH_ONLY=interactive` while working on one path; the echo
 * baseline always runs).
 */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { auditWriterBench } from "./audit-writer";
import { coldStarts } from "./cold-start";
import { oauthBrowser } from "./oauth-flow";
import { runLoad, type LoadOptions, type LoadResult } from "./load";
import { openLoopBinary, runOpenLoop } from "./open-loop";
import { BINARY, PINNED, ROOT, buildIfStale, cpuSeconds, loadAverage, pinSelf, rssMb, startEcho, startPortico } from "./processes";
import { backendCpuDelta, createBenchDatabase } from "./postgres";
import { EMAIL, ORG, PASSWORD, PROJECT, provision } from "./provision";
import { refreshLoop } from "./refresh";
import { renderTable, writeResults, type Row } from "./report";
import { INITIALIZE, INITIALIZED, INTERACTIVE_CALL, SCRIPT_CALL, STATELESS_HEADERS, STATELESS_INTERACTIVE_CALL, TOOLS_LIST, mcpHeaders, probe, type McpBody } from "./scenarios";
import { requireWrk } from "./wrk";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const FULL = process.env.BENCH_FULL === "1";
const SOAK = Number(process.env.BENCH_SOAK ?? (FULL ? 60 : 15));
const REFRESH_CHAINS = 4;
/**
 * Connections for loads with script calls: one project runs its scripts on its share of the pool and lets
 * DEFAULT_QUEUE_PER_PROJECT (16) more wait; beyond that a call is refused at once, by design (issue 11 #19). At 32
 * connections half the answers were such refusals (0.1 ms each, audited as errors), which is not a script call.
 */
const SCRIPT_CONNECTIONS = 16;
/** Seconds of warm-up before the first load with script calls (the others get 2). */
const SCRIPT_WARMUP_S = 6;
const P99_TARGET_MS = 5;
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
/** Whether the scenario named so runs in this run (BENCH_ONLY). */
const wanted = (name: string) => !ONLY || ONLY.test(name);

const rows: Row[] = [];
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tempDir = (tag: string) => mkdtempSync(join(tmpdir(), `portico-bench-${tag}-`));

const wrkVersion = requireWrk();
pinSelf();
const build = buildIfStale(process.env.BENCH_REBUILD === "1");
log(build.built ? `built ${BINARY} (${build.reason})` : `using ${BINARY} (newer than the sources)`);
const startLoad = loadAverage();
const uptime = () => Bun.spawnSync(["uptime"], { stdout: "pipe" }).stdout.toString().trim();
const startUptime = uptime();
log(`wrk ${wrkVersion}; ${startUptime}`);

// --- the audit writer alone, in this process (client core) ---
if (wanted("audit writer")) {
log("audit writer");
const audit = await auditWriterBench();
rows.push({
  scenario: "audit writer alone (rows/s)", rps: audit.rps, p50: audit.flushP50, p99: audit.flushP99, ratio: null,
  target: "≥ 20,000 rows/s, 0 lost", pass: audit.rps >= 20_000 && audit.lost === 0,
  note: `${audit.rows} rows handed over, ${audit.written} stored, ${audit.lost} lost; p50/p99 are per flush (one transaction of ≤ ${audit.batchRows.toLocaleString("en-US")} rows, event loop held).`,
});
}

// --- provisioning with the CLI, cold starts ---
const dataDir = tempDir("data");
log(`provisioning ${dataDir} with the CLI`);
const { apiKey } = provision(dataDir);
if (wanted("cold start")) {
  log("cold starts");
  for (const cold of await coldStarts(dataDir, tempDir)) rows.push(cold);
}

// --- the echo baseline ---
/** Runs a load and the server's CPU time per answered request (µs), which other load on the machine distorts less than req/s. */
async function measured(pid: number, opts: LoadOptions, onTick?: () => void): Promise<LoadResult & { cpuUs: number }> {
  const cpu = cpuSeconds(pid);
  const res = await runLoad(opts, onTick);
  return { ...res, cpuUs: ((cpuSeconds(pid) - cpu) * 1e6) / Math.max(1, res.answered) };
}

/** wrk's share of its own core: near 100 % the generator, not the server, set the pace. */
const busy = (r: LoadResult) => `wrk used ${(r.clientBusy * 100).toFixed(0)} % of its core`;

/**
 * The echo baseline; measured before and after Portico, the better run is the baseline (the stricter
 * ratio). It needs no audit accounting, so wrk runs it without the exact stop's per-request hook.
 */
async function echoBaseline(when: string): Promise<LoadResult & { cpuUs: number }> {
  log(`echo baseline, ${when} (${DURATION} s)`);
  const echo = await startEcho();
  const run = await measured(echo.pid, { url: echo.url, headers: { "content-type": "application/json" }, bodies: [JSON.stringify(INTERACTIVE_CALL.json)], duration: DURATION, exact: false });
  await echo.stop();
  rows.push({ scenario: `raw Bun JSON echo (baseline, ${when})`, rps: run.rps, p50: run.p50, p99: run.p99, ratio: null, cpuUs: run.cpuUs, target: "—", pass: null, note: busy(run) });
  return run;
}
const echoRuns = [await echoBaseline("before")];
/** Ratios and targets against the baseline are settled once the second echo run is in. */
const settle: Array<(echo: { rps: number; cpuUs: number }) => void> = [];

// --- Portico under load, on SQLite, then (BENCH_DATABASE_URL) on Postgres ---
/** Where one pass of the Portico scenarios keeps its state. */
interface Backend {
  /** Appended to every row name of the pass ("" for SQLite, " · postgres"). */
  label: string;
  dataDir: string;
  apiKey: string;
  /** Extra `serve` flags (`--database-url`). */
  serveArgs: string[];
  /** Audit rows so far: all of them, and those with status 'error'. */
  auditCounts(): Promise<{ n: number; errors: number }>;
  /** Closes what `auditCounts` holds open, before the server stops. */
  release?(): void;
  /** CPU seconds of the database's own processes by pid (Postgres backends on this machine), or null. */
  dbCpu(): Promise<Map<number, number> | null>;
  /** The SQLite pass only: RSS rows, the 1-connection sandbox rows and the soak. */
  full: boolean;
}
type Loaded = LoadResult & { cpuUs: number; dbCpuUs: number | null; auditedErrors: number };
/** The rows of each pass the Postgres / SQLite ratio compares: the authenticated interactive tools/call. */
const CALL_ROWS = ["tools/call interactive · JWT", "tools/call interactive · API key", "tools/call interactive · API key · 2026-07-28 stateless"];

/**
 * What an RSS time series says (issue 19: "sawtooth or leak?"): its range and the least-squares slope over the
 * second half (after the first GC cycles), in MB per minute. A sawtooth (heap grown and collected) has a range but
 * no slope; a leak keeps climbing.
 */
function rssTrend(samples: Array<[number, number]>): string {
  if (samples.length < 4) return "too few RSS samples for a trend";
  const half = samples.slice(Math.floor(samples.length / 2));
  const t0 = half[0]![0];
  const xs = half.map(([t]) => t - t0);
  const ys = half.map(([, mb]) => mb);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / Math.max(1e-9, xs.reduce((a, x) => a + (x - mx) ** 2, 0));
  const all = samples.map(([, mb]) => mb);
  return `RSS every ~0.5 s (${samples.length} samples): ${Math.min(...all).toFixed(1)}–${Math.max(...all).toFixed(1)} MB, second-half slope ${(slope * 60).toFixed(1)} MB/min (${slope * 60 < 5 ? "flat or falling: a sawtooth, not a leak" : "still climbing"})`;
}

async function porticoPass(b: Backend): Promise<Map<string, Loaded>> {
  const calls = new Map<string, Loaded>();
  const server = await startPortico(b.dataDir, join(b.dataDir, "serve.log"), undefined, b.serveArgs);
  await sleep(1000);
  // Opens the SQLite reader while the server is idle (sqliteAudit).
  await b.auditCounts();
  const idleRss = rssMb(server.pid)!;
  if (b.full) rows.push({ scenario: "RSS idle (after start)", rps: null, p50: null, p99: null, ratio: null, value: `${idleRss.toFixed(1)} MB`, target: "≤ 80 MB", pass: idleRss <= 80 });

  const mcpUrl = `${server.url}/${ORG}/${PROJECT}`;
  log(`OAuth${b.label}: registration, sign-in, consent, code, token (PKCE)`);
  const browser = await oauthBrowser(server.url, EMAIL, PASSWORD);
  const pairs = [];
  for (let i = 0; i < 1 + REFRESH_CHAINS; i++) pairs.push(await browser.authorize(mcpUrl));
  const jwt = pairs.shift()!.access_token;
  const apiKey = b.apiKey;

  let acknowledged = 0;
  let scriptWarmed = false;
  /**
   * A tool error (a sandbox busy or out of time, say) is still HTTP 200 with `isError`: wrk counts it as an
   * answer. The audit table knows (status 'error'), so each scenario reads the count before and after,
   * read-only, instead of parsing every answer in wrk.
   */
  const auditedErrors = async () => (await b.auditCounts()).errors;
  let peakRss = idleRss;
  /** RSS samples (s since the soak began, MB) while the soak runs: the time series that tells a sawtooth from a leak. */
  let series: Array<[number, number]> | null = null;
  const sampleRss = () => {
    const rss = rssMb(server.pid) ?? 0;
    peakRss = Math.max(peakRss, rss);
    series?.push([performance.now() / 1000, rss]);
  };

  /** Probes, then loads one scenario; adds audited acknowledgements; returns null when the probe failed. */
  async function load(name: string, bearer: string, bodies: McpBody[], duration: number, connections?: number, extraHeaders: Record<string, string> = {}): Promise<Loaded | null> {
    if (!wanted(name)) return null;
    const headers = { ...mcpHeaders(bearer), ...extraHeaders };
    const checked = await probe(mcpUrl, headers, bodies);
    acknowledged += checked.audited;
    if (checked.problem) {
      rows.push({ scenario: name + b.label, rps: null, p50: null, p99: null, ratio: null, target: "—", pass: false, note: `probe failed, not loaded: ${checked.problem}` });
      return null;
    }
    log(`${name}${b.label} (${duration} s)`);
    const handshake = bodies[0] === INITIALIZE;
    const errorsBefore = await auditedErrors();
    const dbBefore = await b.dbCpu();
    // The first script load also warms the sandbox worker's wasm up (JavaScriptCore tiers QuickJS up over its first
    // few thousand calls, ≈ 0.7 s of CPU on the server's core): longer, so the row measures the steady state.
    const warmup = bodies.includes(SCRIPT_CALL) && !scriptWarmed ? ((scriptWarmed = true), SCRIPT_WARMUP_S) : undefined;
    const res = await measured(server.pid, { url: mcpUrl, headers, bodies: bodies.map((x) => JSON.stringify(x.json)), duration, connections, handshake, warmup }, sampleRss);
    const dbSeconds = backendCpuDelta(dbBefore, await b.dbCpu());
    // Notifications (202) have no audit row; with post.lua every body is a request.
    acknowledged += res.okByBody ? res.okByBody.reduce((n, ok, i) => n + (bodies[i]!.audited ? ok : 0), 0) : res.okTotal;
    // The writer flushes every 20 ms; the exact stop's grace second has let the last rows land.
    const dbCpuUs = dbSeconds === null ? null : (dbSeconds * 1e6) / Math.max(1, res.answered);
    return { ...res, dbCpuUs, auditedErrors: (await auditedErrors()) - errorsBefore };
  }

  function loadRow(name: string, res: Loaded | null, target: string, pass: (r: Loaded, echo: { rps: number }) => boolean, note?: string): Loaded | null {
    if (!res) return null;
    if (CALL_ROWS.includes(name)) calls.set(name, res);
    const failures = res.non2xx + res.errors + res.timeouts + res.auditedErrors;
    const problems = failures
      ? [`${res.non2xx} non-2xx, ${res.errors} socket errors, ${res.timeouts} timeouts`, res.auditedErrors ? `${res.auditedErrors} calls audited as errors (warm-up included)` : ""].filter(Boolean).join(", ")
      : "";
    const row: Row = { scenario: name + b.label, rps: res.rps, p50: res.p50, p99: res.p99, ratio: null, cpuUs: res.cpuUs, target, pass: null };
    rows.push(row);
    settle.push((echo) => {
      row.ratio = res.rps / echo.rps;
      row.pass = target === "—" ? (failures ? false : null) : pass(res, echo) && failures === 0;
      row.note = [
        note, res.dbCpuUs === null ? "" : `+ ${res.dbCpuUs.toFixed(1)} µs CPU/req in the Postgres backends`,
        `echo CPU/req ÷ this CPU/req = ${((echo.cpuUs / res.cpuUs) * 100).toFixed(0)} %`, busy(res), problems,
        res.inFlight ? `${res.inFlight} requests unanswered when wrk ended (audit count may differ)` : "",
      ].filter(Boolean).join("; ");
    });
    return res;
  }

  const halfEcho = (r: LoadResult, echo: { rps: number }) => r.rps >= 0.5 * echo.rps && (r.p99 ?? Infinity) <= P99_TARGET_MS;
  const fiveK = (r: LoadResult) => r.rps >= 5_000;
  const interactive = loadRow("tools/call interactive · JWT", await load("tools/call interactive · JWT", jwt, [INTERACTIVE_CALL], DURATION), "≥ 50 % echo, p99 ≤ 5 ms", halfEcho);
  const keyed = loadRow("tools/call interactive · API key", await load("tools/call interactive · API key", apiKey, [INTERACTIVE_CALL], DURATION), "≥ 50 % echo, p99 ≤ 5 ms", halfEcho);
  // The same call offered at a fixed rate, half of what the closed loop reached (issue 19): latency as a client
  // sending at its own pace sees it, counted from when each request was due (open-loop.ts).
  const openName = "tools/call interactive · API key · open loop at 50 % of max";
  if (keyed && wanted(openName)) {
    const generator = openLoopBinary();
    if ("missing" in generator) rows.push({ scenario: openName + b.label, rps: null, p50: null, p99: null, ratio: null, target: "—", pass: null, note: generator.missing });
    else {
      const rate = Math.max(100, Math.round(keyed.rps / 2));
      log(`${openName}${b.label}: ${rate}/s (${DURATION} s)`);
      const cpu = cpuSeconds(server.pid);
      const errorsBefore = await auditedErrors();
      const res = await runOpenLoop(generator.path, { url: mcpUrl, headers: mcpHeaders(apiKey), body: JSON.stringify(INTERACTIVE_CALL.json), rate, seconds: DURATION });
      acknowledged += res.answered - res.non2xx;
      const cpuUs = ((cpuSeconds(server.pid) - cpu) * 1e6) / Math.max(1, res.answered);
      const failures = res.non2xx + res.errors + res.unanswered + ((await auditedErrors()) - errorsBefore);
      rows.push({
        scenario: openName + b.label, rps: res.rps, p50: res.p50, p99: res.p99, ratio: null, cpuUs, target: "p99 ≤ 5 ms", pass: res.p99 <= P99_TARGET_MS && failures === 0,
        note: [`${rate}/s offered over 64 connections (open-loop.c; latency from each request's due time): p90 ${res.p90} ms, p99.9 ${res.p999} ms, max ${res.max} ms`,
          failures ? `${res.non2xx} non-2xx, ${res.errors} socket errors, ${res.unanswered} unanswered, audited errors included` : ""].filter(Boolean).join("; "),
      });
    }
  }
  loadRow(
    "tools/call interactive · API key · 2026-07-28 stateless",
    await load("tools/call interactive · API key · 2026-07-28 stateless", apiKey, [STATELESS_INTERACTIVE_CALL], DURATION, undefined, STATELESS_HEADERS),
    "≥ 50 % echo, p99 ≤ 5 ms", halfEcho,
  );
  const scriptNote = `${SCRIPT_CONNECTIONS} connections: the project's running + waiting share`;
  const script = loadRow("tools/call script · JWT", await load("tools/call script · JWT", jwt, [SCRIPT_CALL], DURATION, SCRIPT_CONNECTIONS), "≥ 5,000/s", fiveK, scriptNote);
  loadRow("tools/call script · API key", await load("tools/call script · API key", apiKey, [SCRIPT_CALL], DURATION, SCRIPT_CONNECTIONS), "≥ 5,000/s", fiveK, scriptNote);
  loadRow("tools/list · JWT", await load("tools/list · JWT", jwt, [TOOLS_LIST], DURATION), "—", () => true);

  if (b.full) {
    // Sandbox overhead: one connection, no queueing — the median script call minus the median interactive call.
    const probeSeconds = Math.min(5, DURATION);
    const scriptSolo = await load("script · 1 connection", jwt, [SCRIPT_CALL], probeSeconds, 1);
    const interactiveSolo = await load("interactive · 1 connection", jwt, [INTERACTIVE_CALL], probeSeconds, 1);
    if (scriptSolo?.p50 != null && interactiveSolo?.p50 != null) {
      const overhead = scriptSolo.p50 - interactiveSolo.p50;
      rows.push({
        scenario: "sandbox overhead per call (1 conn, p50 script − interactive)", rps: null, p50: scriptSolo.p50, p99: scriptSolo.p99, ratio: null,
        value: `${overhead.toFixed(2)} ms`, target: "≤ 1 ms median", pass: overhead <= 1,
        note: `interactive alone: p50 ${interactiveSolo.p50} ms, p99 ${interactiveSolo.p99} ms, ${interactiveSolo.rps.toFixed(0)}/s; script alone ${scriptSolo.rps.toFixed(0)}/s` +
          (script && interactive ? `; under load the sandbox adds ${(script.cpuUs - interactive.cpuUs).toFixed(0)} µs CPU per call` : ""),
      });
    }
  }
  if (script && interactive) {
    // On one core a call's cost is its CPU time; what an interactive call costs is what surrounds the sandbox.
    const share = interactive.cpuUs / script.cpuUs;
    rows.push({
      scenario: `non-sandbox share of a script call (CPU interactive / script)${b.label}`, rps: null, p50: null, p99: null, ratio: null,
      value: `${(share * 100).toFixed(0)} %`, target: "≤ 40 %", pass: share <= 0.4,
      note: `${interactive.cpuUs.toFixed(0)} of ${script.cpuUs.toFixed(0)} µs CPU per call; by req/s: ${((script.rps / interactive.rps) * 100).toFixed(0)} %`,
    });
  }

  if (b.full && wanted("soak")) {
    // RSS growth: a mixed tools/call load after everything above warmed up.
    const soakLabel = `${SOAK} s${FULL || process.env.BENCH_SOAK ? "" : " (BENCH_FULL=1 for 60 s)"}`;
    // The same load first, so workers, caches and JIT are in their steady state before "before" is read.
    await load("soak warm-up", jwt, [INTERACTIVE_CALL, SCRIPT_CALL], Math.min(5, SOAK), SCRIPT_CONNECTIONS);
    const before = rssMb(server.pid)!;
    series = [];
    const soak = await load(`soak: interactive + script · JWT, ${soakLabel}`, jwt, [INTERACTIVE_CALL, SCRIPT_CALL], SOAK, SCRIPT_CONNECTIONS);
    const after = rssMb(server.pid)!;
    const trend = rssTrend(series);
    series = null;
    loadRow(`soak: interactive + script · JWT, ${SOAK} s`, soak, "—", () => true);
    rows.push({
      scenario: `RSS growth over ${soakLabel} load`, rps: null, p50: null, p99: null, ratio: null,
      value: `${(after - before).toFixed(1)} MB`, target: "≤ 20 MB", pass: after - before <= 20,
      note: `${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after; ${trend}`,
    });
  }

  loadRow("initialize + notifications/initialized · JWT", await load("initialize + initialized · JWT", jwt, [INITIALIZE, INITIALIZED], DURATION), "—", () => true,
    "HTTP requests/s; a handshake is two of them");

  if (wanted("token refresh")) {
  log(`token refresh${b.label}: ${REFRESH_CHAINS} rotating chains (${DURATION} s)`);
  const refreshed = await refreshLoop(server.url, browser.clientId, pairs, DURATION);
  rows.push({
    scenario: `token refresh (${REFRESH_CHAINS} rotating chains)${b.label}`, rps: refreshed.rps, p50: refreshed.p50, p99: refreshed.p99, ratio: null, target: "—",
    pass: refreshed.failed + refreshed.errors ? false : null,
    note: [`${refreshed.total} refreshes`, `wrk used ${(refreshed.clientBusy * 100).toFixed(0)} % of its core`, refreshed.failed ? `${refreshed.failed} failed` : "", refreshed.errors ? `${refreshed.errors} socket errors/timeouts/unanswered` : ""].filter(Boolean).join("; "),
  });
  }

  if (b.full) {
    await sleep(2000);
    rows.push({ scenario: "RSS under load (peak)", rps: null, p50: null, p99: null, ratio: null, value: `${peakRss.toFixed(1)} MB`, target: "—", pass: null, note: `${rssMb(server.pid)?.toFixed(1)} MB idle after all load` });
  }

  // --- graceful stop, then every acknowledged call must have its audit row ---
  log(`SIGTERM${b.label}; counting audit rows`);
  b.release?.();
  const exitCode = await server.stop();
  const counts = await b.auditCounts();
  rows.push({
    scenario: `audit rows written == calls acknowledged${b.label}`, rps: null, p50: null, p99: null, ratio: null,
    value: `${counts.n} / ${acknowledged}`, target: "equal, exit 0", pass: counts.n === acknowledged && exitCode === 0,
    note: `server exit code ${exitCode}; ${counts.errors} rows with status error`,
  });
  return calls;
}

/**
 * The SQLite file's audit rows, on one read-only connection opened at the first count and kept until the
 * server stops (`release`), then on a fresh one. Kept open on purpose: opening a new connection from
 * another process while the server is under load crashed it with SIGBUS (2026-12-02): `Bun.mmap` of the
 * -shm file (src/db/wal-index.ts) closes its file descriptor, which drops the server's POSIX lock on the
 * -shm, so the next process to open the database takes itself for the first one and truncates the -shm
 * under the server's map. One reader opened while the server is idle is what the bench did before.
 */
function sqliteAudit(dir: string): Pick<Backend, "auditCounts" | "release"> {
  let db: Database | null = null;
  return {
    async auditCounts() {
      db ??= new Database(join(dir, "portico.db"), { readonly: true });
      const row = db.query("SELECT count(*) AS n, sum(status = 'error') AS errors FROM audit_events").get() as { n: number; errors: number | null };
      return { n: row.n, errors: row.errors ?? 0 };
    },
    release() {
      db?.close();
      db = null;
    },
  };
}

const sqliteCalls = await porticoPass({ label: "", dataDir, apiKey, serveArgs: [], ...sqliteAudit(dataDir), dbCpu: async () => null, full: true });

// What durable audit costs (issue 18): the same scenarios (minus RSS and soak) on a copy of the data dir, served
// with `--audit-durability fast` — the SQLite pass above ran the default, durable group commit.
if (process.env.BENCH_AUDIT_FAST === "1") {
  const fastDir = tempDir("fast");
  cpSync(dataDir, fastDir, { recursive: true });
  // The accounting row compares this pass's acknowledged calls with the rows in its own database: start empty.
  const copy = new Database(join(fastDir, "portico.db"));
  copy.run("DELETE FROM audit_events");
  copy.run("DELETE FROM audit_chains");
  copy.close();
  const fastCalls = await porticoPass({ label: " · fast audit", dataDir: fastDir, apiKey, serveArgs: ["--audit-durability", "fast"], ...sqliteAudit(fastDir), dbCpu: async () => null, full: false });
  const pairs = CALL_ROWS.filter((n) => sqliteCalls.has(n) && fastCalls.has(n)).map((n) => ({ name: n, durable: sqliteCalls.get(n)!, fast: fastCalls.get(n)! }));
  rows.push({
    scenario: "durable / fast audit: CPU per tools/call", rps: null, p50: null, p99: null, ratio: null,
    value: pairs.length ? `${Math.max(...pairs.map((p) => p.durable.cpuUs / p.fast.cpuUs)).toFixed(2)}×` : "—", target: "—", pass: null,
    note: pairs.map((p) => `${p.name.replace("tools/call interactive · ", "")} ${p.durable.cpuUs.toFixed(1)} / ${p.fast.cpuUs.toFixed(1)} µs, p99 ${p.durable.p99?.toFixed(2)} / ${p.fast.p99?.toFixed(2)} ms`).join("; "),
  });
}

// The Postgres pass: the same scenarios (minus RSS and soak) on a fresh database of BENCH_DATABASE_URL's server.
const PG_SERVER = process.env.BENCH_DATABASE_URL?.trim();
if (PG_SERVER) {
  const pg = await createBenchDatabase(PG_SERVER);
  try {
    const pgDataDir = tempDir("pg");
    log(`provisioning Postgres database ${pg.name} (key files in ${pgDataDir}) with the CLI`);
    const pgKey = provision(pgDataDir, pg.url).apiKey;
    const pgCalls = await porticoPass({
      label: " · postgres", dataDir: pgDataDir, apiKey: pgKey, serveArgs: ["--database-url", pg.url],
      auditCounts: () => pg.auditCounts(), dbCpu: () => pg.backendCpu(), full: false,
    });
    const pairs = CALL_ROWS.filter((n) => sqliteCalls.has(n) && pgCalls.has(n)).map((n) => ({ name: n, lite: sqliteCalls.get(n)!, pg: pgCalls.get(n)! }));
    const worst = pairs.length ? Math.max(...pairs.map((p) => p.pg.cpuUs / p.lite.cpuUs)) : null;
    const withDb = (p: (typeof pairs)[number]) => (p.pg.dbCpuUs === null ? "" : `, ${((p.pg.cpuUs + p.pg.dbCpuUs) / p.lite.cpuUs).toFixed(2)}× with the Postgres backends' CPU`);
    const ratioRow: Row = {
      scenario: "Postgres / SQLite CPU per tools/call", rps: null, p50: null, p99: null, ratio: null,
      value: worst === null ? "—" : `${worst.toFixed(2)}×`, target: "≤ 2× (server process)", pass: worst !== null && worst <= 2,
      note: pairs.length
        ? `the worst of: ${pairs.map((p) => `${p.name.replace("tools/call interactive · ", "")} ${p.pg.cpuUs.toFixed(1)} / ${p.lite.cpuUs.toFixed(1)} µs = ${(p.pg.cpuUs / p.lite.cpuUs).toFixed(2)}×${withDb(p)}`).join("; ")}`
        : "no tools/call scenario ran on both engines",
    };
    rows.push(ratioRow);
    // The passes run one after the other: the echo before the SQLite pass and after the Postgres pass tells
    // whether the machine's speed moved in between (then so did this ratio, whichever way).
    settle.push(() => {
      const [before, after] = echoRuns;
      if (before && after) ratioRow.note += `; echo CPU/req before the SQLite pass ${before.cpuUs.toFixed(1)} µs, after the Postgres pass ${after.cpuUs.toFixed(1)} µs (${(after.cpuUs / before.cpuUs).toFixed(2)}×)`;
    });
  } finally {
    await pg.drop();
    log(`dropped ${pg.name}`);
  }
}

echoRuns.push(await echoBaseline("after"));
const baseline = { rps: Math.max(...echoRuns.map((r) => r.rps)), cpuUs: Math.min(...echoRuns.map((r) => r.cpuUs)) };
for (const done of settle) done(baseline);
for (const row of rows) if (row.scenario.startsWith("raw Bun JSON echo")) row.ratio = row.rps! / baseline.rps;

console.log(renderTable(rows));
const meta = {
  date: new Date().toISOString(), commit: Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT }).stdout.toString().trim(),
  bun: Bun.version, generator: `wrk ${wrkVersion}`, pinned: PINNED, duration: DURATION, soak: SOAK, connections: 32,
  loadAverage: { start: startLoad, end: loadAverage() }, uptime: { start: startUptime, end: uptime() }, dataDir,
};
console.log(`\n${meta.date} · commit ${meta.commit} · bun ${meta.bun} · ${meta.generator} · ${PINNED ? "server on core 0, wrk on core 1 (taskset)" : "not pinned: server and wrk share the cores"}`);
console.log(`uptime at start: ${meta.uptime.start}\nuptime at end:   ${meta.uptime.end}\n(a load average above ~1 besides the bench itself makes the numbers noisy)`);
console.log(`results: ${writeResults(ROOT, meta, rows)}`);
