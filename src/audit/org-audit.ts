/** The org audit log: members, roles, grants, keys, sessions, visibility and publish events. */
import { and, desc, eq, gte, isNotNull, lt, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { type OrgAuditEvent } from "../db/schema";

/** `time` comes from the caller's `deps.clock` (docs/architecture.md, "Layers"). */
export type OrgEventInput = Omit<OrgAuditEvent, "id">;

/** Records one org event. `details` must never carry a secret, token or key. */
export async function recordOrgEvent(db: Db, event: OrgEventInput): Promise<void> {
  const { orgAuditEvents } = db.t;
  await db.insert(orgAuditEvents).values(event);
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
