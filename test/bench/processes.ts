/**
 * Processes the benchmark drives: the compiled binary (built when missing), the echo baseline and the
 * load generator (wrk.ts), each pinned to its own core with `taskset` when the machine has two; RSS and
 * CPU time from /proc.
 */
import { availableParallelism } from "node:os";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/portico");

/** Server on core 0, load generator and this process on core 1; no pinning on one core or without taskset. */
export const PINNED = availableParallelism() >= 2 && Bun.which("taskset") !== null;
export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;

/** Prefixes a command with `taskset -c CORE` when pinning is possible. */
export function onCore(core: number, cmd: string[]): string[] {
  return PINNED ? ["taskset", "-c", String(core), ...cmd] : cmd;
}

/** Moves this process (all its threads) to the client core, so it never competes with the server. */
export function pinSelf(): void {
  if (PINNED) Bun.spawnSync(["taskset", "-a", "-cp", String(CLIENT_CORE), String(process.pid)], { stdout: "ignore" });
}

/** Newest modification time under `dir` (recursive). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** `npm run build` when dist/portico is missing, older than src/ or db/, or `force`. */
export function buildIfStale(force: boolean): { built: boolean; reason: string } {
  const reason = force ? "BENCH_REBUILD=1" : !existsSync(BINARY) ? "missing" : statSync(BINARY).mtimeMs < Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "db"))) ? "older than the sources" : "";
  if (!reason) return { built: false, reason };
  // Build output goes to stderr: stdout is the table.
  const res = Bun.spawnSync(["npm", "run", "build"], { cwd: ROOT, stdout: "pipe", stderr: "inherit" });
  process.stderr.write(res.stdout);
  if (res.exitCode !== 0 || !existsSync(BINARY)) throw new Error("npm run build failed");
  return { built: true, reason };
}

/** Resident set size of a process in MB (VmRSS), or null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU seconds a process has used (user + system, all threads), from /proc/<pid>/stat. CPU per request
 * stays meaningful when other work on the machine slows the wall clock down.
 */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The 1-minute load average: a busy machine makes every number below noisy, so the report shows it. */
export function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/** A loopback port free right now (the kernel picks it; we release it for the child). */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 200; resolves with the ms since `since`. Bounded by `timeoutMs`. */
export async function waitForOk(url: string, since: number, timeoutMs = 10_000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(1);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export interface Running {
  pid: number;
  url: string;
  /** SIGTERM (graceful: drains the audit queue) and the exit code; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number>;
}

/** Children still running (servers, wrk): killed when the benchmark exits early (an error, Ctrl-C), never left behind. */
const children = new Set<Bun.Subprocess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
process.once("SIGINT", () => process.exit(130));

export function tracked<T extends Bun.Subprocess>(proc: T): T {
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
  return proc;
}

function running(proc: Bun.Subprocess, url: string): Running {
  return {
    pid: proc.pid,
    url,
    async stop(graceMs = 15_000) {
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      const code = await proc.exited;
      clearTimeout(killer);
      return code;
    },
  };
}

/** Extra server settings for load: the per-credential rate limit (default 6,000/min) must not be what is measured. */
export const SERVE_FLAGS = ["--principal-rate-limit", "100000000", "--log-level", "info"];

/**
 * Starts `portico serve` on the server core; resolves once /healthz answers, with the start time in ms.
 * `command` runs something else than the binary (profile.ts: `bun --cpu-prof src/main.ts`); `extraArgs`
 * go after the standard flags (run.ts: `--database-url` for the Postgres pass).
 */
export async function startPortico(dataDir: string, logFile: string, command = [BINARY], extraArgs: string[] = []): Promise<Running & { startMs: number }> {
  const port = freePort();
  const since = performance.now();
  const proc = tracked(
    Bun.spawn(onCore(SERVER_CORE, [...command, "serve", "--data-dir", dataDir, "--port", String(port), ...SERVE_FLAGS, ...extraArgs]), {
      stdout: Bun.file(logFile),
      stderr: Bun.file(`${logFile}.err`),
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    const startMs = await waitForOk(`${url}/healthz`, since);
    return { ...running(proc, url), startMs };
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  }
}

/** The raw Bun JSON echo baseline on the server core. */
export async function startEcho(): Promise<Running> {
  const port = freePort();
  const proc = tracked(Bun.spawn(onCore(SERVER_CORE, [process.execPath, join(import.meta.dir, "echo-server.ts"), String(port)]), { stdout: "ignore", stderr: "inherit" }));
  const url = `http://127.0.0.1:${port}`;
  // The echo answers any POST; a POST probe tells when it listens.
  const since = performance.now();
  while (performance.now() - since < 10_000) {
    const ok = await fetch(url, { method: "POST", body: "{}" }).then((r) => r.ok, () => false);
    if (ok) return running(proc, url);
    await sleep(5);
  }
  proc.kill("SIGKILL");
  throw new Error("echo server did not start");
}
