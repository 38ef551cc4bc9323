/**
 * The project audit log for pages and the API: filters (tool, status, user, client, host, channel, time
 * range), cursor pages, one event in full, and export of the filtered set. Developers and above may read
 * it (they debug their tools with it); payloads were redacted and capped when written.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { CHANNELS } from "../db/schema";
import { NotFoundError } from "../errors";
import { exportAudit, queryAudit, type AuditEventRow } from "../audit/query";
import { need, type ProjectAccess } from "./access";
import { parseInput } from "./input";

const blank = (v: unknown) => (v === "" ? undefined : v);

/** A time bound: epoch ms, or an ISO 8601 / `datetime-local` value read as UTC. */
const TimeSchema = z.preprocess(
  (v) => {
    if (typeof v !== "string" || v === "") return blank(v);
    if (/^\d+$/.test(v)) return Number(v);
    const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
    return Number.isNaN(ms) ? v : ms;
  },
  z.number({ error: "a time such as 2026-01-31T12:00 (UTC) or epoch milliseconds" }).int().nonnegative().optional(),
);

/** The filters as the page's query string and the API name them. */
export const AuditQuerySchema = z.object({
  tool: z.preprocess(blank, z.string().max(100).optional()),
  status: z.preprocess(blank, z.enum(["ok", "error"]).optional()),
  user: z.preprocess(blank, z.string().max(100).optional()),
  client: z.preprocess(blank, z.string().max(500).optional()),
  host: z.preprocess(blank, z.string().max(200).optional()),
  channel: z.preprocess(blank, z.enum(CHANNELS).optional()),
  from: TimeSchema,
  to: TimeSchema,
  cursor: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(500).default(50)),
});

function filterOf(query: unknown) {
  const q = parseInput(AuditQuerySchema, query ?? {});
  return { tool: q.tool, status: q.status, userId: q.user, clientId: q.client, host: q.host, channel: q.channel, from: q.from, to: q.to, cursor: q.cursor, limit: q.limit };
}

/** One page of the project audit log for the page's or API's filters. */
export function listAuditOp(deps: Deps, access: ProjectAccess, query: unknown) {
  need(access, "developer", "read the audit log", ["settings"]);
  return queryAudit(deps.db, access.project.id, filterOf(query));
}

/** One event of this project, in full. */
export function getAuditEventOp(deps: Deps, access: ProjectAccess, id: number): AuditEventRow {
  need(access, "developer", "read the audit log", ["settings"]);
  // Newest-first paging from cursor id+1 yields exactly this row when it belongs to the project.
  const [event] = queryAudit(deps.db, access.project.id, { cursor: id + 1, limit: 1 }).events;
  if (!event || event.id !== id) throw new NotFoundError("No such audit event in this project.");
  return event;
}

/** The filtered set as a JSONL or CSV download. */
export function exportAuditOp(deps: Deps, access: ProjectAccess, format: "jsonl" | "csv", query: unknown): Response {
  need(access, "developer", "export the audit log", ["settings"]);
  const { cursor, limit, ...filter } = filterOf(query);
  const stream = exportAudit(deps.db, access.project.id, filter, format);
  const name = `${access.project.slug}-audit-${new Date().toISOString().slice(0, 10)}.${format}`;
  return new Response(stream, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
