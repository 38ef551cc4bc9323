/**
 * The org audit log as pages and the API show it (docs/architecture.md: Service layer): cursor pages, an
 * action filter, actor emails. Admins read it.
 */
import { inArray, eq } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps";
import { listOrgEvents } from "../audit/org-audit";
import { CAN, orgOperation, READ_ONLY } from "./operation";

const blank = (v: unknown) => (v === "" ? undefined : v);

/** Org audit filters and cursor (an empty form field means "any"). */
export const OrgEventQuerySchema = z.object({
  action: z.preprocess(blank, z.string().max(64).optional()),
  before: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(200).default(50)),
});

/** Emails of the given user ids (ids of deleted users are left out). */
export async function userEmails(deps: Deps, ids: Array<string | null>): Promise<Map<string, string>> {
  const { users } = deps.db.t;
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (!wanted.length) return new Map();
  return new Map((await deps.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, wanted))).map((u) => [u.id, u.email]));
}

/** One page of org events, newest first; `next` is the cursor of the following page (null at the end). */
export const listOrgAuditEvents = orgOperation({
  name: "org.list-events",
  summary: "Org events: members, roles, grants, keys, visibility, publish (admin)",
  what: "read the organization's audit log",
  input: OrgEventQuerySchema,
  permission: CAN.manageSettings,
  audit: READ_ONLY,
  run: async (deps, access, q) => {
    const rows = await listOrgEvents(deps.db, access.org.id, { before: q.before, action: q.action, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const emails = await userEmails(deps, page.map((e) => e.actorId));
    const events = page.map((e) => ({ ...e, actorEmail: e.actorId ? (emails.get(e.actorId) ?? null) : null }));
    return { events, next: rows.length > q.limit ? page[page.length - 1]!.id : null };
  },
});

/** The actions that occur in the org's log, for the filter. */
export async function orgEventActions(deps: Deps, orgId: string): Promise<string[]> {
  const { orgAuditEvents } = deps.db.t;
  return (await deps.db
      .selectDistinct({ action: orgAuditEvents.action })
      .from(orgAuditEvents)
      .where(eq(orgAuditEvents.orgId, orgId)))
    .map((r) => r.action)
    .sort();
}
