/**
 * The project audit log (docs/architecture.md: Service layer): one filter (tool, status, user, client,
 * host, channel, time range, cursor, limit) for the page, the API, `portico_query_audit` and the export,
 * cursor pages, one event in full, and export of the filtered set. One rule for who reads it on every
 * face: a developer or above (they debug their tools with it), and a credential that carries scopes (an
 * API key, an OAuth grant on a management tool) must hold `settings`. Payloads were redacted and capped
 * when written.
 */
import { z } from "zod";
import { NotFoundError } from "../errors";
import { AuditFilterSchema, exportAudit, queryAudit, AUDIT_STATUS_LABELS, type AuditEventRow } from "../audit/query";
import { auditClients, hasAuditEvents, withNames, type AuditClient, type AuditNames } from "../audit/names";
import type { Deps } from "../deps";
import type { ProjectAccess } from "./access";

export { AUDIT_STATUS_LABELS };
export type { AuditClient };

/** An audit event as every face shows it: the row and the names of its user, app and API key. */
export type NamedAuditEvent = AuditEventRow & AuditNames;
import type { Permission } from "./operation";
import { projectOperation, READ_ONLY } from "./operation";

const blank = (v: unknown) => (v === "" ? undefined : v);
const rule = AuditFilterSchema.shape;

/** Who may read the audit log, on every face. */
export const READ_AUDIT: Permission = { role: "developer", scopes: ["settings"] };

/** A time bound: epoch ms, or an ISO 8601 / `datetime-local` value read as UTC. */
export const TimeSchema = z.preprocess(
  (v) => {
    if (typeof v !== "string" || v === "") return blank(v);
    if (/^\d+$/.test(v)) return Number(v);
    const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
    return Number.isNaN(ms) ? v : ms;
  },
  z.number({ error: "a time such as 2026-01-31T12:00 (UTC) or epoch milliseconds" }).int().nonnegative().optional(),
);

/**
 * The audit filter as every face names it (query string, API, management tool). Each field's rule — and
 * the one page-size rule, 1–500 with 50 by default — is the audit query's own (src/audit/query.ts); an
 * empty form field means "any".
 */
export const AuditQuerySchema = z.object({
  tool: z.preprocess(blank, rule.tool),
  status: z.preprocess(blank, rule.status),
  user: z.preprocess(blank, rule.userId),
  client: z.preprocess(blank, rule.clientId),
  host: z.preprocess(blank, rule.host),
  channel: z.preprocess(blank, rule.channel),
  from: TimeSchema,
  to: TimeSchema,
  cursor: z.preprocess(blank, rule.cursor),
  limit: z.preprocess(blank, rule.limit),
});
type AuditQuery = z.output<typeof AuditQuerySchema>;

function filterOf(q: AuditQuery) {
  return { tool: q.tool, status: q.status, userId: q.user, clientId: q.client, host: q.host, channel: q.channel, from: q.from, to: q.to, cursor: q.cursor, limit: q.limit };
}

/**
 * Why a page is empty (issue 16 #6): `none-yet` — the project has no calls at all; `none-match` — there
 * are calls, the filters (or the cursor) leave none. Null when the page has events.
 */
export type AuditEmpty = "none-yet" | "none-match" | null;

/**
 * One page of the project audit log, newest first, with names; `nextCursor` is null on the last page;
 * `empty` says why a page has no events.
 */
export const listAudit = projectOperation({
  name: "audit.list",
  summary: "Read this project's audit log of MCP requests, newest first (filters: tool, status, user, client, host, channel, time range; cursor pages)",
  what: "read the audit log",
  input: AuditQuerySchema,
  permission: READ_AUDIT,
  audit: READ_ONLY,
  run: async (deps, access, q): Promise<{ events: NamedAuditEvent[]; nextCursor: number | null; empty: AuditEmpty }> => {
    const page = await queryAudit(deps.db, access.project.id, filterOf(q));
    const empty: AuditEmpty = page.events.length ? null : (await hasAuditEvents(deps.db, access.project.id)) ? "none-match" : "none-yet";
    return { events: await withNames(deps.db, page.events), nextCursor: page.nextCursor, empty };
  },
});

/** One event of this project, in full. */
export const getAuditEvent = projectOperation({
  name: "audit.get",
  summary: "One audit event with input, output, error and handler logs (developer)",
  what: "read the audit log",
  input: z.object({ id: z.number().int() }),
  permission: READ_AUDIT,
  audit: READ_ONLY,
  run: async (deps, access, { id }): Promise<NamedAuditEvent> => {
    // Newest-first paging from cursor id+1 yields exactly this row when it belongs to the project.
    const [event] = (await queryAudit(deps.db, access.project.id, { cursor: id + 1, limit: 1 })).events;
    if (!event || event.id !== id) throw new NotFoundError("No such audit event in this project.");
    return (await withNames(deps.db, [event]))[0]!;
  },
});

/** A download: its file name, media type and streamed body. */
export interface AuditDownload {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/** Every event the filters match (cursor and limit ignored) as JSONL or CSV. */
export const exportAuditLog = projectOperation({
  name: "audit.export",
  summary: "Export every event the filters match as JSONL or CSV (developer)",
  what: "export the audit log",
  input: AuditQuerySchema.extend({ format: z.enum(["jsonl", "csv"]).default("jsonl") }),
  permission: READ_AUDIT,
  audit: READ_ONLY,
  run: (deps, access, q): AuditDownload => {
    const { cursor, limit, ...filter } = filterOf(q);
    return {
      filename: `${access.project.slug}-audit-${new Date(deps.clock.now()).toISOString().slice(0, 10)}.${q.format}`,
      contentType: q.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      body: exportAudit(deps.db, access.project.id, filter, q.format),
    };
  },
});

/** The download as an HTTP attachment (the page and the API serve the same response). */
export function downloadResponse(d: AuditDownload): Response {
  return new Response(d.body, {
    headers: {
      "content-type": d.contentType,
      "content-disposition": `attachment; filename="${d.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/**
 * The callers the `client` filter offers: every app ever granted access to the project and every API key
 * it ever had, revoked ones included (their calls stay in the log). Read by whoever may read the log.
 */
export async function auditClientOptions(deps: Pick<Deps, "db">, access: ProjectAccess): Promise<AuditClient[]> {
  return await auditClients(deps.db, access.project.id);
}
