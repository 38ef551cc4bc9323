/**
 * Audit retention (docs/architecture.md: Audit event, default 90 days): rows older than their project's
 * `audit_retention_days`, and rows of deleted projects, are removed in small batches so pruning never
 * holds the write lock for long. Runs at start and hourly.
 */
import type { Deps } from "../deps";
import { runPeriodically } from "../lib/periodic";
import { rawQuery, rawRun } from "../db/raw";

const BATCH = 5_000;
const DAY_MS = 86_400_000;
const INTERVAL_MS = 3_600_000;

const PRUNE = rawQuery(`DELETE FROM audit_events WHERE id IN (
  SELECT a.id FROM audit_events a LEFT JOIN projects p ON p.id = a.project_id
  WHERE p.id IS NULL OR a.time < ? - p.audit_retention_days * ${DAY_MS} LIMIT ${BATCH})`);

/** Deletes the rows expired at `now` (the caller's `deps.clock`); returns how many. */
export async function pruneAudit(deps: Pick<Deps, "db">, now: number): Promise<number> {
  let total = 0;
  for (;;) {
    const changes = await rawRun(deps.db, PRUNE, [now]);
    total += changes;
    if (changes < BATCH) return total;
  }
}

/** Prunes now and every hour until shutdown. */
export function scheduleAuditRetention(deps: Pick<Deps, "db" | "log" | "shutdownHooks" | "clock">): void {
  runPeriodically(deps, "audit retention", INTERVAL_MS, async () => {
    const removed = await pruneAudit(deps, deps.clock.now());
    if (removed) deps.log.info({ removed }, "audit retention pruned rows");
  });
}
