// Load generator (Node + autocannon), run as its own process pinned to its own core by run.ts.
// Input: one JSON argument { url, headers, body | bodies, connections, duration, carrySession, perBody }.
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
/**
 * 2xx responses per body index, over all runs, when `perBody` asks for them (run.ts needs them where some
 * bodies are notifications, which get no audit row). Off otherwise: autocannon's per-response callback
 * converts every response's headers with lodash, a real share of the load generator's core.
 */
const okByBody = bodies.map(() => 0);
let okTotal = 0;
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
    ...(opts.perBody || opts.carrySession
      ? {
          onResponse: (status, _body, ctx, headers) => {
            if (status >= 200 && status < 300) okByBody[i]++;
            if (opts.carrySession && i === 0) ctx.sessionId = headers["mcp-session-id"];
          },
        }
      : {}),
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
  okTotal += result["2xx"];
  return { result, seconds, rps: result.requests.total / seconds, latencies };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Warm-up, then calibration runs doubling until one lasts a second (the JIT and the connections settle).
let calibrated = await run(opts.warmupRequests ?? 2_000, false, 30);
for (let i = 0; i < 6 && calibrated.seconds < 1; i++) calibrated = await run(Math.max(calibrated.result.requests.total * 2, calibrated.rps), false, 30);
let measured = await run(calibrated.rps * duration * 1.25, true, duration * 3 + 10);
// A server that sped up since calibration finishes early: once more, sized from the measured rate.
if (!cut && measured.seconds < duration) measured = await run(measured.rps * duration * 1.1, true, duration * 3 + 10);
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
    okTotal,
    okByBody: opts.perBody || opts.carrySession ? okByBody : null,
    sent,
    answered,
    cut,
  }) + "\n",
);
