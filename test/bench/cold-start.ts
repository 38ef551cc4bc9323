/**
 * Cold start of the binary to its first /healthz 200 (target ≤ 150 ms, README "Performance"): the median
 * of several starts on the provisioned data dir (a restart), and of first runs on empty data dirs
 * (migrations, key files).
 */
import { join } from "node:path";
import { startPortico } from "./processes";
import type { Row } from "./report";

const RESTARTS = 5;
const FIRST_RUNS = 3;
const TARGET_MS = 150;

async function timedStarts(dirs: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const [i, dir] of dirs.entries()) {
    const server = await startPortico(dir, join(dir, `cold-${i}.log`));
    times.push(server.startMs);
    await server.stop();
  }
  return times.sort((a, b) => a - b);
}

function row(scenario: string, times: number[]): Row {
  const median = times[Math.floor(times.length / 2)]!;
  return {
    scenario, rps: null, p50: median, p99: times.at(-1)!, ratio: null, value: `${median.toFixed(0)} ms`,
    target: `≤ ${TARGET_MS} ms`, pass: median <= TARGET_MS, note: `starts: ${times.map((t) => t.toFixed(0)).join(", ")} ms (p99 column = slowest)`,
  };
}

/** Both cold-start rows; `fresh(tag)` makes an empty temp dir. */
export async function coldStarts(dataDir: string, fresh: (tag: string) => string): Promise<Row[]> {
  const restarts = await timedStarts(Array.from({ length: RESTARTS }, () => dataDir));
  const firstRuns = await timedStarts(Array.from({ length: FIRST_RUNS }, () => fresh("first-run")));
  return [row(`cold start to /healthz 200 (restart, median of ${RESTARTS})`, restarts), row(`cold start to /healthz 200 (first run, median of ${FIRST_RUNS})`, firstRuns)];
}
