/** The org audit log: members, roles, grants, keys, sessions, visibility and publish events. */
import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { type OrgAuditEvent } from "../db/schema";

/** `time` comes from the caller's `deps.clock` (docs/architecture.md, "Layers"). */
export type OrgEventInput = Omit<OrgAuditEvent, "id">;

/** Records one org event. `details` must never carry a secret, token or key. */
export async function recordOrgEvent(db: Db, event: OrgEventInput): Promise<void> {
  const { orgAuditEvents } = db.t;
  await db.insert(orgAuditEvents).values(event);
}

/** Newest first, cursor = the last id seen. */
export async function listOrgEvents(db: Db, orgId: string, opts: { before?: number; limit?: number; action?: string } = {}) {
  const { orgAuditEvents } = db.t;
  const conditions = [eq(orgAuditEvents.orgId, orgId)];
  if (opts.before) conditions.push(lt(orgAuditEvents.id, opts.before));
  if (opts.action) conditions.push(eq(orgAuditEvents.action, opts.action));
  return await db
      .select()
      .from(orgAuditEvents)
      .where(and(...conditions))
      .orderBy(desc(orgAuditEvents.id))
      .limit(Math.min(opts.limit ?? 50, 200));
}
