// Load generator (Node + autocannon), run as its own process pinned to its own core by run.ts.
// Input: one JSON argument { url, headers, body | bodies, connections, duration, carrySession }.
// Output: one JSON line: requests/s, latency percentiles in ms, and 2xx counts per body.
//
// Every run is bounded by a request COUNT (autocannon `amount`), sized from a short calibration so the
// measured run lasts about `duration` seconds: a count-bounded run waits for its last responses, so the
// 2xx counts cover every request the server answered (audit rows == acknowledged calls, exactly). A
// timer still bounds each run in time (3 × duration + 10 s); when it fires, `cut` says counts may be short.
// Latencies come from each response's own timing (autocannon's histogram truncates to whole ms).
import autocannon from "autocannon";

const opts = JSON.parse(process.argv[2]);
const bodies = opts.bodies ?? [opts.body];
const connections = opts.connections ?? 32;
const duration = opts.duration ?? 10;
/** 2xx responses per body index, over all runs: run.ts knows which bodies are audited requests. */
const okByBody = bodies.map(() => 0);
/** Bounds the latency sample (≈ 40 MB). */
const MAX_SAMPLES = 5_000_000;
let cut = false;
let sent = 0;
let answered = 0;

function requests() {
  return bodies.map((body, i) => ({
    method: "POST",
    body,
    headers: opts.headers,
    // Streamable HTTP: the request after initialize carries the session id the server just created.
    ...(opts.carrySession && i > 0
      ? { setupRequest: (req, ctx) => ({ ...req, headers: { ...req.headers, "mcp-session-id": ctx.sessionId ?? "" } }) }
      : {}),
    onResponse: (status, _body, ctx, headers) => {
      if (status >= 200 && status < 300) okByBody[i]++;
      if (opts.carrySession && i === 0) ctx.sessionId = headers["mcp-session-id"];
    },
  }));
}

/** One count-bounded run; resolves with autocannon's result, the wall time and (optionally) latencies. */
async function run(amount, recordLatencies, maxSeconds) {
  const latencies = [];
  const started = performance.now();
  const instance = autocannon({ url: opts.url, connections, amount: Math.max(connections, Math.round(amount)), pipelining: 1, requests: requests() });
  const timer = setTimeout(() => {
    cut = true;
    instance.stop();
  }, maxSeconds * 1000);
  if (recordLatencies) instance.on("response", (_c, _s, _b, ms) => latencies.length < MAX_SAMPLES && latencies.push(ms));
  const result = await instance;
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  sent += result.requests.sent;
  answered += result.requests.total;
  return { result, seconds, rps: result.requests.total / seconds, latencies };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const warm = await run(opts.warmupRequests ?? 2_000, false, 30);
const calibrated = await run(Math.max(warm.rps, 100), false, 30);
const measured = await run(calibrated.rps * duration * 1.05, true, duration * 3 + 10);
const sorted = Float64Array.from(measured.latencies).sort();
const round = (v) => (v === null ? null : Math.round(v * 1000) / 1000);
const r = measured.result;
process.stdout.write(
  JSON.stringify({
    rps: measured.rps,
    total: r.requests.total,
    seconds: measured.seconds,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : null),
    ok: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    okByBody,
    sent,
    answered,
    cut,
  }) + "\n",
);
