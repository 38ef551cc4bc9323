/**
 * Runs Debian's `wrk` (C, epoll; `apt-get install wrk`) with one of the Lua scripts in ./wrk on the
 * client core and reads the JSON line their done() prints. wrk replaced autocannon: autocannon in Node
 * tops out near 25k req/s on one core here, below what the raw Bun echo serves, so every ratio to the
 * echo looked better than it was; wrk drives the same echo about twice as hard.
 */
import { join } from "node:path";
import { CLIENT_CORE, ROOT, onCore, tracked } from "./processes";

export const WRK_SCRIPTS = join(import.meta.dir, "wrk");

/** wrk's -d is whole seconds; the exact stop (wrk/common.lua) ends the load this much earlier, so the answers in flight land. */
const GRACE_SECONDS = 1;
/**
 * Latencies above this count as wrk timeouts. wrk allocates its histogram at 1 µs per slot up to this
 * bound (8 bytes each: 5 s = 40 MB), so it is not set higher than the slowest scenario needs.
 */
const TIMEOUT_SECONDS = 5;

/** Fails early, with the install line, when wrk is missing. */
export function requireWrk(): string {
  const res = Bun.which("wrk") ? Bun.spawnSync(["wrk", "--version"], { stdout: "pipe" }) : null;
  const version = res?.stdout.toString().match(/wrk (\S+)/)?.[1];
  if (!version) throw new Error("npm run bench needs wrk on the PATH: apt-get install wrk (Debian/Ubuntu)");
  return version;
}

export interface WrkOptions {
  /** A file in ./wrk: post.lua, handshake.lua, refresh.lua. */
  script: string;
  url: string;
  headers?: Record<string, string>;
  /** key=value arguments for the script (after `--`); `seconds=` is added from `seconds`. */
  args?: string[];
  /** Seconds of load. */
  seconds: number;
  /**
   * Stop writing requests at `seconds` and let the answers in flight land before wrk ends (default): the
   * totals then cover every request the server answered. Off for the echo, which needs no accounting
   * and is measured without the per-request delay() hook (the stricter baseline).
   */
  exact?: boolean;
  connections?: number;
  threads?: number;
}

export interface WrkRun {
  /** Answers wrk counted. */
  requests: number;
  /** Seconds the load ran (the exact stop's window, or wrk's own run time). */
  seconds: number;
  rps: number;
  /** Latency percentiles in ms, from wrk's histogram. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers with a status above 399 (wrk's own count). */
  non2xx: number;
  /** Socket errors: connect + read + write. */
  errors: number;
  timeouts: number;
  /** Requests written but not answered when wrk ended (exact runs only; 0 unless an answer took longer than the grace). */
  inFlight: number;
  /** The script's tallies by kind of answer (handshake.lua, refresh.lua). */
  counts: Record<string, number>;
  /** wrk's CPU time ÷ the load's seconds: near 1, the load generator, not the server, set the pace. */
  clientBusy: number;
}

interface WrkJson {
  requests: number;
  duration_us: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  sent?: number;
  counts: Record<string, number>;
  latency_us: { p50: number; p90: number; p99: number; max: number };
}

const ms = (us: number) => Math.round(us) / 1000;

/** One wrk run; `onTick` is called about every 500 ms while it runs (RSS sampling). */
export async function runWrk(opts: WrkOptions, onTick?: () => void): Promise<WrkRun> {
  const exact = opts.exact ?? true;
  const connections = opts.connections ?? 32;
  const threads = opts.threads ?? 1;
  const seconds = Math.max(1, Math.round(opts.seconds));
  const cmd = [
    "wrk", "-t", String(threads), "-c", String(connections), "-d", `${seconds + (exact ? GRACE_SECONDS : 0)}s`,
    "--timeout", `${TIMEOUT_SECONDS}s`, "-s", join(WRK_SCRIPTS, opts.script),
    ...Object.entries(opts.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
    opts.url, "--", ...(exact ? [`seconds=${seconds}`] : []), ...(opts.args ?? []),
  ];
  const proc = tracked(Bun.spawn(onCore(CLIENT_CORE, cmd), { cwd: ROOT, stdout: "pipe", stderr: "pipe" }));
  const ticker = onTick ? setInterval(onTick, 500) : null;
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (ticker) clearInterval(ticker);
  const code = await proc.exited;
  const line = out.split("\n").find((l) => l.startsWith("BENCH_WRK "));
  // A Lua error in a thread is printed by wrk on stderr while the run goes on; any stderr is a failure here.
  if (code !== 0 || !line || err.trim()) throw new Error(`wrk failed for ${opts.url} (exit ${code}): ${err.trim() || out.slice(-500)}`);
  const json = JSON.parse(line.slice("BENCH_WRK ".length)) as WrkJson;
  const window = exact ? seconds : json.duration_us / 1e6;
  const cpu = Number(proc.resourceUsage()?.cpuTime.total ?? 0n) / 1e6;
  return {
    requests: json.requests,
    seconds: window,
    rps: json.requests / window,
    p50: ms(json.latency_us.p50),
    p90: ms(json.latency_us.p90),
    p99: ms(json.latency_us.p99),
    max: ms(json.latency_us.max),
    non2xx: json.errors.status,
    errors: json.errors.connect + json.errors.read + json.errors.write,
    timeouts: json.errors.timeout,
    inFlight: exact ? Math.max(0, (json.sent ?? 0) - json.requests) : 0,
    counts: json.counts ?? {},
    clientBusy: cpu / window,
  };
}
