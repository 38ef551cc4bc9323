/**
 * One load scenario through wrk (wrk.ts): the bodies written to files for the Lua script, a warm-up run
 * (JIT, connections, caches), then the measured run. Both stop exactly (wrk/common.lua), so their 2xx
 * totals count every call the server answered: run.ts compares them with the audit table after a
 * graceful SIGTERM.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWrk, type WrkRun } from "./wrk";

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  /** Request bodies, sent in turn (post.lua), or [initialize, notifications/initialized] with `handshake`. */
  bodies: string[];
  /** Seconds of measured load. */
  duration: number;
  connections?: number;
  /** The initialize + initialized pair with the session id carried over (handshake.lua). */
  handshake?: boolean;
  /** See WrkOptions.exact: off for the echo baseline only. */
  exact?: boolean;
  /** Seconds of warm-up before the measured run (default 2). */
  warmup?: number;
}

/** The measured run's rate, latency percentiles (ms) and error counts, as wrk reported them. */
export interface LoadResult extends Pick<WrkRun, "rps" | "p50" | "p90" | "p99" | "max" | "non2xx" | "errors" | "timeouts"> {
  /** 2xx over the warm-up and the measured run: the server audited both. */
  okTotal: number;
  /** With `handshake`: 2xx per body over both runs ([initialize, initialized]); null otherwise. */
  okByBody: number[] | null;
  /** Answers over both runs (the divisor of the server's CPU per request). */
  answered: number;
  /** Requests still unanswered when wrk ended, over both runs: the server may have audited them uncounted. */
  inFlight: number;
  /** wrk's CPU share of its core during the measured run. */
  clientBusy: number;
}

let bodyDir: string | null = null;
process.on("exit", () => bodyDir && rmSync(bodyDir, { recursive: true, force: true }));

/** Writes each body to a file the Lua script reads at init; returns `body=PATH` arguments. */
function bodyArgs(bodies: string[]): string[] {
  bodyDir ??= mkdtempSync(join(tmpdir(), "portico-bench-bodies-"));
  return bodies.map((body) => {
    const path = join(bodyDir!, `${Bun.hash(body).toString(16)}.json`);
    writeFileSync(path, body);
    return `body=${path}`;
  });
}

/** 2xx answers of a run: by the handshake's own tally, or every answer wrk did not count as an error status. */
function ok(run: WrkRun, handshake: boolean): number[] {
  return handshake ? [run.counts.initialize ?? 0, run.counts.initialized ?? 0] : [run.requests - run.non2xx];
}

/** Warm-up, then the measured run; `onTick` is called about every 500 ms while either runs. */
export async function runLoad(opts: LoadOptions, onTick?: () => void): Promise<LoadResult> {
  const handshake = opts.handshake ?? false;
  const base = {
    script: handshake ? "handshake.lua" : "post.lua",
    url: opts.url, headers: opts.headers, args: bodyArgs(opts.bodies), connections: opts.connections, exact: opts.exact,
  };
  const warm = await runWrk({ ...base, seconds: opts.warmup ?? 2 }, onTick);
  const run = await runWrk({ ...base, seconds: opts.duration }, onTick);
  const okByBody = ok(warm, handshake).map((n, i) => n + ok(run, handshake)[i]!);
  return {
    rps: run.rps, p50: run.p50, p90: run.p90, p99: run.p99, max: run.max,
    non2xx: run.non2xx, errors: run.errors, timeouts: run.timeouts,
    okTotal: okByBody.reduce((a, b) => a + b, 0),
    okByBody: handshake ? okByBody : null,
    answered: warm.requests + run.requests,
    inFlight: warm.inFlight + run.inFlight,
    clientBusy: run.clientBusy,
  };
}
