/**
 * What `/readyz` checks (issue 15: "`/readyz` reports the database"). Each check says whether this instance
 * can serve right now, how long it took to find out, and, when not, a short reason that is safe to show on
 * an unauthenticated endpoint (the full error goes to the log). A Postgres backend adds its own database
 * check (a round trip on the pool) in the same shape; the change feed's `healthy()` is already one
 * (docs/architecture.md: Storage, "Postgres change feed": an instance that may be missing changes is not ready).
 */
import { rawGet, rawQuery } from "../db/raw";
import type { Deps } from "../deps";

export interface CheckResult {
  ok: boolean;
  /** Time the check took, ms (3 decimals). */
  latencyMs: number;
  /** Why it failed, in a few words; absent when ok. */
  reason?: string;
}

export interface ReadinessCheck {
  /** Key in the report (`database`, `changes`). */
  name: string;
  /** Which engine answers, when it matters to an operator. */
  engine?: "sqlite" | "postgres";
  run(): Promise<CheckResult> | CheckResult;
}

export interface ReadinessReport {
  status: "ready" | "unavailable";
  /** The first failing check's name (kept from the first `/readyz`, which only said `reason: "database"`). */
  reason?: string;
  checks: Record<string, { engine?: string } & CheckResult>;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Times `fn`; a throw is a failed check with `reason`, the error logged. */
async function timed(deps: Pick<Deps, "log">, name: string, reason: string, fn: () => unknown): Promise<CheckResult> {
  const started = performance.now();
  try {
    const ok = (await fn()) !== false;
    return ok ? { ok, latencyMs: round(performance.now() - started) } : { ok, latencyMs: round(performance.now() - started), reason };
  } catch (err) {
    deps.log.warn({ err, check: name }, "readiness check failed");
    return { ok: false, latencyMs: round(performance.now() - started), reason };
  }
}

const PING = rawQuery<{ ok: number }>(`SELECT 1 AS "ok"`);

/** The checks of this process: the database on its open handle, and the change feed. */
export function readinessChecks(deps: Pick<Deps, "db" | "changes" | "log">): ReadinessCheck[] {
  return [
    { name: "database", engine: deps.db.engine, run: () => timed(deps, "database", "the database does not answer", () => rawGet(deps.db, PING)) },
    { name: "changes", run: () => timed(deps, "changes", "this instance may be missing changes", () => deps.changes.healthy()) },
  ];
}

/** Runs every check; ready only when all pass. */
export async function readiness(checks: ReadinessCheck[]): Promise<ReadinessReport> {
  const report: ReadinessReport = { status: "ready", checks: {} };
  for (const check of checks) {
    const result = await check.run();
    report.checks[check.name] = { ...(check.engine ? { engine: check.engine } : {}), ...result };
    if (!result.ok && report.status === "ready") {
      report.status = "unavailable";
      report.reason = check.name;
    }
  }
  return report;
}
