/**
 * `audit verify` (issue 18; docs/architecture.md: Audit chain): recomputes a chain from its checkpoint (the hash of
 * the prefix retention pruned, or the genesis) to its head and names the first row that breaks it — edited
 * (its fields or payload no longer match its hash), deleted (a gap in `chain_seq`, or rows missing after the
 * last one), or inserted (a row without a chain link among chained rows, or one whose link does not fit).
 * Reads in pages of PAGE rows, so a chain of millions of rows verifies in bounded memory.
 */
import { and, asc, eq, gt, isNotNull, isNull, min, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { first } from "../db/query";
import { callPayloadHash, callRowHash, detailsText, GENESIS, orgPayloadHash, orgRowHash, type ChainHead } from "./chain";

const PAGE = 2_000;

export type ChainKind = "project" | "org";

export interface ChainProblem {
  kind: "edited" | "deleted" | "inserted";
  /** The row that breaks the chain (the one after a gap, for deletions); null when rows are missing at the end. */
  rowId: number | null;
  seq: number | null;
  message: string;
}

export interface ChainReport {
  kind: ChainKind;
  /** The project's or org's id. */
  id: string;
  /** Rows checked (those after the checkpoint). */
  rows: number;
  /** Rows written before chaining began (an upgrade): not covered. */
  unchained: number;
  /** Rows whose payloads were erased (allowed: payloads enter the chain as a digest). */
  erasedPayloads: number;
  checkpoint: ChainHead | null;
  head: ChainHead;
  ok: boolean;
  problem: ChainProblem | null;
}

interface Walk {
  prev: string;
  seq: number;
  rows: number;
  erased: number;
  problem: ChainProblem | null;
}

/** Steps one row onto the walk; sets `problem` on the first break. */
function step(walk: Walk, row: { id: number; chainSeq: number | null; hash: string | null }, recomputed: string, payload: "ok" | "erased" | "edited"): void {
  const seq = row.chainSeq!;
  if (seq === walk.seq) {
    walk.problem = { kind: "inserted", rowId: row.id, seq, message: `row ${row.id} repeats chain position ${seq} (inserted)` };
    return;
  }
  if (seq !== walk.seq + 1) {
    const missing = seq - walk.seq - 1;
    walk.problem = { kind: "deleted", rowId: row.id, seq, message: `${missing} row${missing === 1 ? "" : "s"} missing before row ${row.id} (chain positions ${walk.seq + 1}–${seq - 1} deleted)` };
    return;
  }
  if (payload === "edited") {
    walk.problem = { kind: "edited", rowId: row.id, seq, message: `row ${row.id} was edited: its input, output, error or logs no longer match their digest` };
    return;
  }
  if (recomputed !== row.hash) {
    walk.problem = { kind: "edited", rowId: row.id, seq, message: `row ${row.id} was edited, or inserted: it no longer matches its hash` };
    return;
  }
  if (payload === "erased") walk.erased++;
  walk.prev = row.hash;
  walk.seq = seq;
  walk.rows++;
}

/** A chained row as the walk sees it; `recomputed` and `payload` are the kind's own checks (below). */
interface ChainRow {
  id: number;
  chainSeq: number | null;
  hash: string | null;
}

/** What differs between the two kinds of chain: where rows come from, and how one row is rehashed. */
interface ChainSource<R extends ChainRow> {
  kind: ChainKind;
  id: string;
  /** The next PAGE rows after chain position `after`, in chain order. */
  page(after: number): Promise<R[]>;
  /** The row's hash recomputed after `prev`, and whether its payload is intact, erased or edited. */
  judge(row: R, prev: string): { recomputed: string; payload: "ok" | "erased" | "edited" };
}

/** Walks a chain from its checkpoint (or the genesis) to its end, then compares with its head and stray rows. */
async function verifyChain<R extends ChainRow>(db: Db, src: ChainSource<R>): Promise<ChainReport> {
  const start = await chainStart(db, `${src.kind === "project" ? "p" : "o"}:${src.id}`);
  const walk: Walk = { prev: start.checkpoint?.hash ?? GENESIS, seq: start.checkpoint?.seq ?? 0, rows: 0, erased: 0, problem: null };
  let after = walk.seq;
  while (!walk.problem) {
    const page = await src.page(after);
    for (const row of page) {
      const { recomputed, payload } = src.judge(row, walk.prev);
      step(walk, row, recomputed, payload);
      if (walk.problem) break;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.chainSeq!;
  }
  return finish(src.kind, src.id, start, walk, await unchained(db, src.kind, src.id));
}

/** Verifies one project's chain of calls. */
export function verifyProjectChain(db: Db, projectId: string): Promise<ChainReport> {
  const { auditEvents } = db.t;
  return verifyChain(db, {
    kind: "project",
    id: projectId,
    page: (after) => db.select().from(auditEvents).where(and(eq(auditEvents.projectId, projectId), gt(auditEvents.chainSeq, after))).orderBy(asc(auditEvents.chainSeq)).limit(PAGE),
    judge: (row, prev) => ({
      // An erased payload hashes with its recorded digest; the row's own fields still must match.
      recomputed: callRowHash(prev, row.chainSeq!, row, row.payloadHash ?? ""),
      payload: callPayloadHash(row) === row.payloadHash ? "ok" : row.input == null && row.output == null && row.error == null && row.logs == null ? "erased" : "edited",
    }),
  });
}

/** Verifies one org's chain of events. */
export function verifyOrgChain(db: Db, orgId: string): Promise<ChainReport> {
  const { orgAuditEvents } = db.t;
  return verifyChain(db, {
    kind: "org",
    id: orgId,
    page: (after) => db.select().from(orgAuditEvents).where(and(eq(orgAuditEvents.orgId, orgId), gt(orgAuditEvents.chainSeq, after))).orderBy(asc(orgAuditEvents.chainSeq)).limit(PAGE),
    judge: (row, prev) => {
      const details = detailsText(row.details);
      return {
        recomputed: orgRowHash(prev, row.chainSeq!, row, row.payloadHash ?? ""),
        payload: orgPayloadHash(details) === row.payloadHash ? "ok" : details === null ? "erased" : "edited",
      };
    },
  });
}

interface Start {
  head: ChainHead | null;
  checkpoint: ChainHead | null;
}

async function chainStart(db: Db, chain: string): Promise<Start> {
  const { auditChains } = db.t;
  const row = await first(db.select().from(auditChains).where(eq(auditChains.chain, chain)));
  if (!row) return { head: null, checkpoint: null };
  return { head: { seq: row.seq, hash: row.hash }, checkpoint: row.prunedSeq > 0 && row.prunedHash ? { seq: row.prunedSeq, hash: row.prunedHash } : null };
}

/** Unchained rows: before the first chained row they predate chaining; after it, they were inserted. */
async function unchained(db: Db, kind: ChainKind, id: string): Promise<{ before: number; strayId: number | null }> {
  const { auditEvents, orgAuditEvents } = db.t;
  const [table, owner] = kind === "project" ? [auditEvents, auditEvents.projectId] : [orgAuditEvents, orgAuditEvents.orgId];
  const firstChainedId = (await first(db.select({ id: min(table.id) }).from(table).where(and(eq(owner, id), isNotNull(table.chainSeq)))))?.id ?? null;
  const before = await first(
    db.select({ n: sql<number>`count(*)` }).from(table).where(and(eq(owner, id), isNull(table.chainSeq), firstChainedId === null ? undefined : sql`${table.id} < ${firstChainedId}`)),
  );
  const stray = firstChainedId === null ? null : await first(db.select({ id: table.id }).from(table).where(and(eq(owner, id), isNull(table.chainSeq), gt(table.id, firstChainedId))).orderBy(asc(table.id)).limit(1));
  return { before: Number(before?.n ?? 0), strayId: stray?.id ?? null };
}

function finish(kind: ChainKind, id: string, start: Start, walk: Walk, stray: { before: number; strayId: number | null }): ChainReport {
  let problem = walk.problem;
  const head = start.head ?? { seq: 0, hash: GENESIS };
  if (!problem && stray.strayId !== null) {
    problem = { kind: "inserted", rowId: stray.strayId, seq: null, message: `row ${stray.strayId} has no chain link among chained rows (inserted)` };
  }
  if (!problem && walk.seq < head.seq) {
    const missing = head.seq - walk.seq;
    problem = { kind: "deleted", rowId: null, seq: walk.seq + 1, message: `${missing} row${missing === 1 ? "" : "s"} missing at the end (chain positions ${walk.seq + 1}–${head.seq} deleted)` };
  }
  if (!problem && (walk.seq > head.seq || (walk.seq === head.seq && walk.seq > 0 && walk.prev !== head.hash))) {
    problem = { kind: "inserted", rowId: null, seq: walk.seq, message: `the chain's recorded head (position ${head.seq}) does not match its last row (position ${walk.seq})` };
  }
  return { kind, id, rows: walk.rows, unchained: stray.before, erasedPayloads: walk.erased, checkpoint: start.checkpoint, head, ok: !problem, problem };
}

/** Every chain (each project with calls, each org with events), or those of one project / one org. */
export async function verifyChains(db: Db, only: { projectId?: string; orgId?: string } = {}): Promise<ChainReport[]> {
  const { auditEvents, orgAuditEvents, auditChains } = db.t;
  if (only.projectId) return [await verifyProjectChain(db, only.projectId)];
  if (only.orgId) return [await verifyOrgChain(db, only.orgId)];
  const ids = (kind: "p" | "o", found: { id: string }[], chains: { chain: string }[]) =>
    [...new Set([...found.map((r) => r.id), ...chains.filter((c) => c.chain.startsWith(`${kind}:`)).map((c) => c.chain.slice(2))])].sort();
  const chains = await db.select({ chain: auditChains.chain }).from(auditChains);
  const projects = ids("p", await db.selectDistinct({ id: auditEvents.projectId }).from(auditEvents), chains);
  const orgs = ids("o", await db.selectDistinct({ id: orgAuditEvents.orgId }).from(orgAuditEvents), chains);
  const reports: ChainReport[] = [];
  for (const id of projects) reports.push(await verifyProjectChain(db, id));
  for (const id of orgs) reports.push(await verifyOrgChain(db, id));
  return reports;
}
