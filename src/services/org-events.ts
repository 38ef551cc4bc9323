/**
 * The org audit log as pages, the API and the export show it (docs/architecture.md: Service layer): cursor
 * pages; action, actor and time filters; each event with its actor's email, its project's name and a
 * sentence saying what happened (src/audit/org-describe.ts). Admins read it.
 */
import { inArray, eq } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps";
import type { OrgAuditEvent } from "../db/schema";
import { listOrgEvents, orgEventActorIds, type OrgEventFilter } from "../audit/org-audit";
import { describeOrgEvent, idsMentioned } from "../audit/org-describe";
import { csvField } from "../audit/query";
import { TimeSchema, type AuditDownload } from "./audit";
import { CAN, orgOperation, READ_ONLY } from "./operation";

const blank = (v: unknown) => (v === "" ? undefined : v);

/** Org audit filters and cursor (an empty form field means "any"). */
export const OrgEventQuerySchema = z.object({
  action: z.preprocess(blank, z.string().max(64).optional()),
  /** The user id of who did it. */
  actor: z.preprocess(blank, z.string().max(100).optional()),
  /** ISO 8601 (UTC) or epoch ms, inclusive. */
  from: TimeSchema,
  to: TimeSchema,
  before: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(200).default(50)),
});

/** Emails of the given user ids (ids of deleted users are left out). */
export async function userEmails(deps: Pick<Deps, "db">, ids: Array<string | null>): Promise<Map<string, string>> {
  const { users } = deps.db.t;
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (!wanted.length) return new Map();
  return new Map((await deps.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, wanted))).map((u) => [u.id, u.email]));
}

/** An org event as every face shows it: the row, its actor's email, its project's name and what happened in words. */
export type NamedOrgEvent = OrgAuditEvent & { actorEmail: string | null; projectName: string | null; description: string };

/** `rows` with names and descriptions: one lookup each for users, apps and projects, whatever the number of rows. */
async function named(deps: Pick<Deps, "db">, rows: OrgAuditEvent[]): Promise<NamedOrgEvent[]> {
  const { oauthClients, projects } = deps.db.t;
  const mentioned = rows.map(idsMentioned);
  const users = await userEmails(deps, mentioned.flatMap((m) => m.users));
  const clientIds = [...new Set(mentioned.flatMap((m) => m.clients))];
  const clients = new Map(clientIds.length ? (await deps.db.select({ id: oauthClients.id, name: oauthClients.name }).from(oauthClients).where(inArray(oauthClients.id, clientIds))).map((c) => [c.id, c.name]) : []);
  const projectIds = [...new Set(rows.map((r) => r.projectId).filter((id): id is string => Boolean(id)))];
  const projectNames = new Map(projectIds.length ? (await deps.db.select({ id: projects.id, name: projects.name }).from(projects).where(inArray(projects.id, projectIds))).map((p) => [p.id, p.name]) : []);
  return rows.map((e) => ({
    ...e,
    actorEmail: e.actorId ? (users.get(e.actorId) ?? null) : null,
    projectName: e.projectId ? (projectNames.get(e.projectId) ?? null) : null,
    description: describeOrgEvent(e, { users, clients }),
  }));
}

type OrgEventQuery = z.output<typeof OrgEventQuerySchema>;
const filterOf = (q: Omit<OrgEventQuery, "before" | "limit">): OrgEventFilter => ({ action: q.action, actorId: q.actor, from: q.from, to: q.to });

/** One page of org events, newest first; `next` is the cursor of the following page (null at the end). */
export const listOrgAuditEvents = orgOperation({
  name: "org.list-events",
  summary: "Org events in words, with actor emails and project names: members, roles, grants, keys, tools, instructions, visibility, publish (admin)",
  what: "read the organization's audit log",
  input: OrgEventQuerySchema,
  permission: CAN.manageSettings,
  audit: READ_ONLY,
  run: async (deps, access, q): Promise<{ events: NamedOrgEvent[]; next: number | null }> => {
    const rows = await listOrgEvents(deps.db, access.org.id, { ...filterOf(q), before: q.before, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { events: await named(deps, page), next: rows.length > q.limit ? page[page.length - 1]!.id : null };
  },
});

const ORG_CSV_COLUMNS = ["id", "time", "actorId", "actorEmail", "action", "description", "projectId", "projectName", "targetType", "targetId", "details"] as const;

/** Every org event the filters match (cursor and limit ignored), newest first, as JSONL or CSV, 500 rows a read. */
export const exportOrgAuditEvents = orgOperation({
  name: "org.export-events",
  summary: "Export every org event the filters match as JSONL or CSV, with descriptions (admin)",
  what: "export the organization's audit log",
  input: OrgEventQuerySchema.omit({ before: true, limit: true }).extend({ format: z.enum(["jsonl", "csv"]).default("jsonl") }),
  permission: CAN.manageSettings,
  audit: READ_ONLY,
  run: (deps, access, q): AuditDownload => {
    const encoder = new TextEncoder();
    let before: number | undefined;
    let started = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let out = !started && q.format === "csv" ? `${ORG_CSV_COLUMNS.join(",")}\r\n` : "";
        started = true;
        const rows = await listOrgEvents(deps.db, access.org.id, { ...filterOf(q), before, limit: 500 });
        for (const e of await named(deps, rows)) {
          const r = { ...e, time: new Date(e.time).toISOString() };
          out += q.format === "jsonl" ? `${JSON.stringify(r)}\n` : `${ORG_CSV_COLUMNS.map((c) => csvField(c === "details" ? (r.details == null ? null : JSON.stringify(r.details)) : r[c])).join(",")}\r\n`;
        }
        if (out) controller.enqueue(encoder.encode(out));
        if (rows.length < 500) controller.close();
        else before = rows[rows.length - 1]!.id;
      },
    });
    return {
      filename: `${access.org.slug}-org-audit-${new Date(deps.clock.now()).toISOString().slice(0, 10)}.${q.format}`,
      contentType: q.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      body,
    };
  },
});

/** Who the actor filter offers: everyone who ever did something in the org's log, former members as such. */
export async function orgEventActors(deps: Pick<Deps, "db">, orgId: string): Promise<Array<{ id: string; email: string | null }>> {
  const ids = await orgEventActorIds(deps.db, orgId);
  const emails = await userEmails(deps, ids);
  return ids.map((id) => ({ id, email: emails.get(id) ?? null })).sort((a, b) => (a.email ?? "~").localeCompare(b.email ?? "~"));
}

export { orgActionLabel } from "../audit/org-describe";

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
