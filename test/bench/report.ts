/**
 * The benchmark's one table: scenario, requests/s, p50, p99, ratio to the echo baseline, target and
 * pass/fail — printed, and written with the run's metadata to bench-results/<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Row {
  scenario: string;
  /** Requests (or rows, refreshes…) per second; null when the scenario is not a rate. */
  rps: number | null;
  p50: number | null;
  p99: number | null;
  /** rps / echo rps, when the scenario is an HTTP load. */
  ratio: number | null;
  /** Server CPU time (user + system, all threads) per answered request, in µs. */
  cpuUs?: number;
  /** A value that is neither a rate nor a latency (MB, ms, a count), shown in the rps column's place. */
  value?: string;
  target: string;
  /** null: informational, no target. */
  pass: boolean | null;
  note?: string;
}

const fmt = (n: number | null, digits = 0) => (n === null ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function renderTable(rows: Row[]): string {
  const head = ["scenario", "req/s", "p50 ms", "p99 ms", "× echo", "CPU µs/req", "target", "result"];
  const body = rows.map((r) => [
    r.scenario,
    r.value ?? fmt(r.rps),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    r.ratio === null ? "—" : `${(r.ratio * 100).toFixed(0)} %`,
    r.cpuUs === undefined ? "—" : fmt(r.cpuUs, 1),
    r.target,
    r.pass === null ? "info" : r.pass ? "PASS" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.scenario}: ${r.note}`);
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line), ...(notes.length ? ["", "Notes:", ...notes] : [])].join("\n");
}

/** Writes bench-results/<timestamp>.json; returns its path. */
export function writeResults(root: string, meta: Record<string, unknown>, rows: Row[]): string {
  const dir = join(root, "bench-results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(path, JSON.stringify({ ...meta, rows }, null, 2) + "\n");
  return path;
}
