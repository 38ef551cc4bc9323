/**
 * Reading the MCP audit log: filtered, newest first, cursor-paginated by row id (stable while new rows
 * arrive), and exported as JSONL or CSV in pages so an export never holds the whole log in memory.
 */
import { and, desc, eq, gte, lt, lte, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { CHANNELS, type auditEvents } from "../db/schema";
import { fromZod } from "../errors";
import { withNames } from "./names";

/**
 * The one status vocabulary of the log (issue 16 #6): the list's badge, the detail's badge and the
 * status filter all say these words; the error class is a detail shown beside "failed", never instead.
 */
export const AUDIT_STATUS_LABELS = { ok: "succeeded", error: "failed" } as const satisfies Record<AuditEventRow["status"], string>;

export const AuditFilterSchema = z.object({
  /** Any part of the tool name, case-insensitively ("ord" finds get_order and reorder). */
  tool: z.string().max(100).optional(),
  status: z.enum(["ok", "error"]).optional(),
  userId: z.string().max(100).optional(),
  /** OAuth client id or API key id. */
  clientId: z.string().max(500).optional(),
  /** Matches the start of the host string (clientInfo name), e.g. "claude". */
  host: z.string().max(200).optional(),
  channel: z.enum(CHANNELS).optional(),
  method: z.string().max(100).optional(),
  /** Epoch ms, inclusive. */
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  /** The `nextCursor` of the previous page. */
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditFilter = z.input<typeof AuditFilterSchema>;
export type AuditEventRow = typeof auditEvents.$inferSelect;

/** `LIKE` with `\` as its escape on both engines (SQLite has no default escape character; Postgres' is `\`). */
function likeEscaped(column: SQLWrapper, pattern: string): SQL {
  return sql`${column} like ${pattern} escape '\\'`;
}
const escapeLike = (s: string) => s.replace(/[%_\\]/g, "\\$&");

function conditions(auditEvents: Db["t"]["auditEvents"], projectId: string, f: z.output<typeof AuditFilterSchema>): SQL[] {
  const c: SQL[] = [eq(auditEvents.projectId, projectId)];
  // lower() on both sides: SQLite's LIKE ignores ASCII case, Postgres' does not; this reads the same on both.
  if (f.tool) c.push(likeEscaped(sql`lower(${auditEvents.tool})`, `%${escapeLike(f.tool.toLowerCase())}%`));
  if (f.status) c.push(eq(auditEvents.status, f.status));
  if (f.userId) c.push(eq(auditEvents.userId, f.userId));
  if (f.clientId) c.push(or(eq(auditEvents.clientId, f.clientId), eq(auditEvents.apiKeyId, f.clientId))!);
  if (f.host) c.push(likeEscaped(auditEvents.host, `${escapeLike(f.host)}%`));
  if (f.channel) c.push(eq(auditEvents.channel, f.channel));
  if (f.method) c.push(eq(auditEvents.method, f.method));
  if (f.from !== undefined) c.push(gte(auditEvents.time, f.from));
  if (f.to !== undefined) c.push(lte(auditEvents.time, f.to));
  if (f.cursor !== undefined) c.push(lt(auditEvents.id, f.cursor));
  return c;
}

function parseFilter(filter: AuditFilter) {
  const parsed = AuditFilterSchema.safeParse(filter);
  if (!parsed.success) throw fromZod(parsed.error);
  return parsed.data;
}

/** One page of a project's audit events, newest first; `nextCursor` is null on the last page. */
export async function queryAudit(db: Db, projectId: string, filter: AuditFilter = {}): Promise<{ events: AuditEventRow[]; nextCursor: number | null }> {
  const { auditEvents } = db.t;
  const f = parseFilter(filter);
  const events = await db.select().from(auditEvents).where(and(...conditions(auditEvents, projectId, f))).orderBy(desc(auditEvents.id)).limit(f.limit + 1);
  const more = events.length > f.limit;
  if (more) events.pop();
  return { events, nextCursor: more ? events[events.length - 1]!.id : null };
}

/** Each id is followed by its name (src/audit/names.ts) so a spreadsheet reads without a lookup. */
const CSV_COLUMNS = [
  "id", "time", "channel", "principal", "userId", "userEmail", "grantId", "clientId", "clientName", "apiKeyId", "apiKeyName", "sessionId", "method", "tool", "version",
  "status", "errorClass", "error", "durationMs", "host", "ip", "protocolVersion", "traceparent", "source", "input", "output", "logs",
] as const satisfies ReadonlyArray<keyof AuditEventRow | "userEmail" | "clientName" | "apiKeyName">;

/** RFC 4180 field; a leading =,+,-,@ is prefixed with ' so spreadsheets do not run it as a formula. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Streams every matching event (newest first) as JSONL (one JSON object per line) or CSV with a header
 * row, reading 1,000 rows at a time. `time` is ISO 8601 in both; each batch's user, app and API key
 * names are looked up once (src/audit/names.ts).
 */
export function exportAudit(db: Db, projectId: string, filter: Omit<AuditFilter, "cursor" | "limit">, format: "jsonl" | "csv"): ReadableStream<Uint8Array> {
  const { auditEvents } = db.t;
  const base = parseFilter({ ...filter, limit: 500 });
  const encoder = new TextEncoder();
  let cursor: number | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let out = "";
      if (!started && format === "csv") out += `${CSV_COLUMNS.join(",")}\r\n`;
      started = true;
      const rows = await db.select().from(auditEvents).where(and(...conditions(auditEvents, projectId, { ...base, cursor }))).orderBy(desc(auditEvents.id)).limit(1000);
      for (const row of await withNames(db, rows)) {
        const r = { ...row, time: new Date(row.time).toISOString() };
        out += format === "jsonl" ? `${JSON.stringify(r)}\n` : `${CSV_COLUMNS.map((c) => csvField(r[c])).join(",")}\r\n`;
      }
      if (out) controller.enqueue(encoder.encode(out));
      if (rows.length < 1000) controller.close();
      else cursor = rows[rows.length - 1]!.id;
    },
  });
}
