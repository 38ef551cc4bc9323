/** The org audit log: members, roles, grants, keys, sessions, visibility and publish events. */
import { and, desc, eq, gte, isNotNull, lt, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { first, transaction } from "../db/query";
import { type OrgAuditEvent } from "../db/schema";
import { detailsText, GENESIS, orgChain, orgPayloadHash, orgRowHash, type ChainHead } from "./chain";

/** `time` comes from the caller's `deps.clock` (docs/architecture.md, "Layers"). */
export type OrgEventInput = Omit<OrgAuditEvent, "id" | "chainSeq" | "payloadHash" | "hash">;

/**
 * Records one org event, linked onto the org's audit chain (src/audit/chain.ts) in one transaction.
 * `details` must never carry a secret, token or key.
 */
export async function recordOrgEvent(db: Db, event: OrgEventInput): Promise<void> {
  await transaction(db, async (tx) => {
    const { orgAuditEvents, auditChains } = tx.t;
    const chain = orgChain(event.orgId);
    const head = await lockHead(tx, chain, event.time);
    const payloadHash = orgPayloadHash(detailsText(event.details));
    const seq = head.seq + 1;
    const fields = { orgId: event.orgId, time: event.time, actorId: event.actorId ?? null, action: event.action, targetType: event.targetType ?? null, targetId: event.targetId ?? null, projectId: event.projectId ?? null };
    const hash = orgRowHash(head.hash, seq, fields, payloadHash);
    await tx.insert(orgAuditEvents).values({ ...fields, details: event.details ?? null, chainSeq: seq, payloadHash, hash });
    await tx.update(auditChains).set({ seq, hash, updatedAt: event.time }).where(eq(auditChains.chain, chain));
  });
}

/**
 * A chain's head, locked for this transaction: an UPDATE takes Postgres' row lock (SQLite's transaction
 * already holds the write lock), so two writers appending to one org never fork its chain.
 */
async function lockHead(tx: Db, chain: string, now: number): Promise<ChainHead> {
  const { auditChains } = tx.t;
  const touch = () => first(tx.update(auditChains).set({ updatedAt: now }).where(eq(auditChains.chain, chain)).returning({ seq: auditChains.seq, hash: auditChains.hash }));
  const head = await touch();
  if (head) return head;
  await tx.insert(auditChains).values({ chain, seq: 0, hash: GENESIS, updatedAt: now }).onConflictDoNothing();
  return (await touch())!;
}

export interface OrgEventFilter {
  /** Cursor: the last id seen. */
  before?: number;
  limit?: number;
  action?: string;
  /** The user who did it. */
  actorId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
}

/** Newest first, cursor = the last id seen; at most 1,000 rows a call (an export pages through). */
export async function listOrgEvents(db: Db, orgId: string, opts: OrgEventFilter = {}) {
  const { orgAuditEvents } = db.t;
  const conditions = [eq(orgAuditEvents.orgId, orgId)];
  if (opts.before) conditions.push(lt(orgAuditEvents.id, opts.before));
  if (opts.action) conditions.push(eq(orgAuditEvents.action, opts.action));
  if (opts.actorId) conditions.push(eq(orgAuditEvents.actorId, opts.actorId));
  if (opts.from !== undefined) conditions.push(gte(orgAuditEvents.time, opts.from));
  if (opts.to !== undefined) conditions.push(lte(orgAuditEvents.time, opts.to));
  return await db
      .select()
      .from(orgAuditEvents)
      .where(and(...conditions))
      .orderBy(desc(orgAuditEvents.id))
      .limit(Math.min(opts.limit ?? 50, 1000));
}

/** The users who ever did something in the org's log (former members included), for the actor filter. */
export async function orgEventActorIds(db: Db, orgId: string): Promise<string[]> {
  const { orgAuditEvents } = db.t;
  return (await db.selectDistinct({ id: orgAuditEvents.actorId }).from(orgAuditEvents).where(and(eq(orgAuditEvents.orgId, orgId), isNotNull(orgAuditEvents.actorId))))
    .map((r) => r.id!)
    .filter(Boolean);
}
