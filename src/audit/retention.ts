/**
 * Audit retention (docs/architecture.md: Audit event, default 90 days): rows older than their project's
 * `audit_retention_days`, and rows of deleted projects, are removed in small batches so pruning never
 * holds the write lock for long. Runs at start and hourly.
 *
 * The chain survives (docs/architecture.md: Audit chain): a project's calls are pruned as a prefix of its chain —
 * every row up to the newest expired one — after its last position and hash are recorded as the chain's
 * checkpoint (`audit_chains.pruned_seq/pruned_hash`), which `audit verify` starts from.
 */
import type { Deps } from "../deps";
import { runPeriodically } from "../lib/periodic";
import { rawAll, rawGet, rawQuery, rawRun } from "../db/raw";
import { projectChain } from "./chain";

const BATCH = 5_000;
const DAY_MS = 86_400_000;
const INTERVAL_MS = 3_600_000;

/** Projects with expired rows, and their cutoff; rows of deleted projects are all expired. */
const EXPIRED = rawQuery<{ projectId: string; days: number | null }>(
  `SELECT a.project_id AS "projectId", MAX(p.audit_retention_days) AS "days" FROM audit_events a LEFT JOIN projects p ON p.id = a.project_id
   WHERE p.id IS NULL OR a.time < ? - p.audit_retention_days * ${DAY_MS} GROUP BY a.project_id`,
  { numbers: ["days"] },
);
/** The newest expired chained row of a project: the prefix up to it goes. */
const LAST_EXPIRED = rawQuery<{ seq: number }>(`SELECT MAX(chain_seq) AS "seq" FROM audit_events WHERE project_id = ? AND time < ?`, { numbers: ["seq"] });
const HASH_AT = rawQuery<{ hash: string }>(`SELECT hash FROM audit_events WHERE project_id = ? AND chain_seq = ?`);
const CHECKPOINT = rawQuery(`UPDATE audit_chains SET pruned_seq = ?, pruned_hash = ? WHERE chain = ? AND pruned_seq < ?`);
const PRUNE_PREFIX = rawQuery(`DELETE FROM audit_events WHERE id IN (
  SELECT id FROM audit_events WHERE project_id = ? AND (chain_seq <= ? OR (chain_seq IS NULL AND time < ?)) LIMIT ${BATCH})`);
const PRUNE_ALL = rawQuery(`DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE project_id = ? LIMIT ${BATCH})`);
const DROP_CHAIN = rawQuery(`DELETE FROM audit_chains WHERE chain = ?`);

/** Deletes the rows expired at `now` (the caller's `deps.clock`); returns how many. */
export async function pruneAudit(deps: Pick<Deps, "db">, now: number): Promise<number> {
  const { db } = deps;
  let total = 0;
  for (const { projectId, days } of await rawAll(db, EXPIRED, [now])) {
    const batches = async (q: typeof PRUNE_ALL, params: (string | number)[]) => {
      for (;;) {
        const changes = await rawRun(db, q, params);
        total += changes;
        if (changes < BATCH) return;
      }
    };
    if (days === null) {
      // A deleted project: its chain goes with its rows.
      await batches(PRUNE_ALL, [projectId]);
      await rawRun(db, DROP_CHAIN, [projectChain(projectId)]);
      continue;
    }
    const cutoff = now - days * DAY_MS;
    const seq = (await rawGet(db, LAST_EXPIRED, [projectId, cutoff]))?.seq ?? 0;
    if (seq > 0) {
      const hash = (await rawGet(db, HASH_AT, [projectId, seq]))!.hash;
      // The checkpoint first: rows up to it that a crash leaves behind are skipped by `verify`, then pruned next time.
      await rawRun(db, CHECKPOINT, [seq, hash, projectChain(projectId), seq]);
    }
    await batches(PRUNE_PREFIX, [projectId, seq, cutoff]);
  }
  return total;
}

/** Prunes now and every hour until shutdown. */
export function scheduleAuditRetention(deps: Pick<Deps, "db" | "log" | "shutdownHooks" | "clock">): void {
  runPeriodically(deps, "audit retention", INTERVAL_MS, async () => {
    const removed = await pruneAudit(deps, deps.clock.now());
    if (removed) deps.log.info({ removed }, "audit retention pruned rows");
  });
}
