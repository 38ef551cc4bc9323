/**
 * p99 under a fixed offered load (issue 19), beside wrk's closed loop: open-loop.c, built on demand with the
 * system's C compiler (Debian: `apt-get install gcc`) into node_modules/.cache, run on the client core. A
 * generator in Bun was tried first and fell behind its own schedule near 10,000 requests/s on one core (its
 * socket writes and timers, not the server), which would have charged its lateness to the server.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENT_CORE, ROOT, onCore } from "./processes";

const SOURCE = join(import.meta.dir, "open-loop.c");
const BINARY = join(ROOT, "node_modules/.cache/portico-bench/open-loop");

export interface OpenLoopOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Requests per second offered. */
  rate: number;
  seconds: number;
  warmup?: number;
  /** Connections to spread the load over (one request in flight each); default 64. */
  connections?: number;
}

export interface OpenLoopResult {
  /** Requests due in the measured window. */
  offered: number;
  /** Requests written and answered over warm-up and window (answered is what the server audited). */
  sent: number;
  answered: number;
  non2xx: number;
  errors: number;
  unanswered: number;
  /** Answered requests of the window per second. */
  rps: number;
  /** Latency from the moment each request was due, ms. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The generator's binary, compiled when missing or older than its source; null (with why) without a C compiler. */
export function openLoopBinary(): { path: string } | { missing: string } {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return { path: BINARY };
  const cc = Bun.which("cc") ?? Bun.which("gcc");
  if (!cc) return { missing: "no C compiler for the open-loop generator (apt-get install gcc)" };
  mkdirSync(join(BINARY, ".."), { recursive: true });
  const res = Bun.spawnSync([cc, "-O2", "-o", BINARY, SOURCE], { stderr: "pipe" });
  if (res.exitCode !== 0) return { missing: `the open-loop generator did not compile: ${res.stderr.toString().slice(0, 300)}` };
  return { path: BINARY };
}

export async function runOpenLoop(binary: string, opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(opts.url);
  const head = [`POST ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, `content-length: ${Buffer.byteLength(opts.body)}`, ...Object.entries(opts.headers).map(([k, v]) => `${k}: ${v}`)];
  const dir = mkdtempSync(join(tmpdir(), "portico-bench-open-loop-"));
  try {
    const file = join(dir, "request");
    writeFileSync(file, `${head.join("\r\n")}\r\n\r\n${opts.body}`);
    const args = [url.hostname, url.port, file, String(opts.rate), String(opts.warmup ?? 2), String(opts.seconds), String(opts.connections ?? 64)];
    const proc = Bun.spawn(onCore(CLIENT_CORE, [binary, ...args]), { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`open-loop exited ${code}: ${err.slice(0, 300)}`);
    return JSON.parse(out.trim().split("\n").at(-1)!) as OpenLoopResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
