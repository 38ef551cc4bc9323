/**
 * The connection doctor as one service (docs/architecture.md: Connection doctor): the project's recorded
 * handshake steps grouped per client, each client's findings from the rules (src/doctor/rules), and the
 * findings about the project's setup. Every face — the Server page, the JSON API, the management MCP tool
 * and `portico doctor` — calls `diagnoseConnections` and shows the same `DoctorReport`.
 */
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps";
import { listHandshakes } from "../doctor/handshake";
import type { ClientReport, DoctorEvent, DoctorReport, Finding } from "../doctor/report";
import { CLIENT_RULES, PROJECT_RULES, type GrantFacts } from "../doctor/rules";
import { channelUrl } from "../projects/projects";
import { need, type ProjectAccess } from "./access";

/** Events read per report: the newest ones of the project (each client keeps at most 200, RING_PER_CLIENT). */
const EVENTS_READ = 2000;

export const DiagnoseOptionsSchema = z.object({ clientId: z.string().min(1).max(300).optional() }).strict();
export type DiagnoseOptions = z.input<typeof DiagnoseOptionsSchema>;

type Row = Awaited<ReturnType<typeof listHandshakes>>[number];

function toEvent(row: Row): DoctorEvent {
  return {
    id: row.id,
    time: row.time,
    step: row.step,
    outcome: row.outcome,
    reason: row.reason,
    detail: { ...(row.detail ?? {}), ...(row.protocolVersion ? { revision: row.protocolVersion } : {}) },
  };
}

const newestFirst = (a: Finding, b: Finding) => b.at - a.at;

/**
 * Diagnoses how hosts connect to the caller's project (developer and above, like the Server page's card).
 * `opts.clientId` narrows the report to one client (the project findings stay).
 */
export async function diagnoseConnections(deps: Deps, access: ProjectAccess | Pick<ProjectAccess, "org" | "project">, opts: DiagnoseOptions = {}): Promise<DoctorReport> {
  // The CLI (`portico doctor`) reads as the operator on the data dir: no member, no role to check.
  if ("role" in access) need(access, "developer", "see the connection doctor");
  const { clientId } = DiagnoseOptionsSchema.parse(opts);
  const { oauthClients, grants } = deps.db.t;
  const project = access.project;
  const publicUrl = deps.config.publicUrl;
  const now = deps.clock.now();
  const urls = {
    production: channelUrl(publicUrl, access.org.slug, project.slug, "production"),
    draft: channelUrl(publicUrl, access.org.slug, project.slug, "draft"),
  };
  const rows = await listHandshakes(deps.db, project.id, EVENTS_READ, clientId);
  const byClient = new Map<string | null, DoctorEvent[]>();
  for (const row of rows) {
    const list = byClient.get(row.clientId) ?? [];
    list.push(toEvent(row));
    byClient.set(row.clientId, list);
  }
  const ids = [...byClient.keys()].filter((id): id is string => id !== null);
  const names = new Map<string, string>();
  const grantsOf = new Map<string, GrantFacts[]>();
  if (ids.length) {
    for (const c of await deps.db.select({ id: oauthClients.id, name: oauthClients.name }).from(oauthClients).where(inArray(oauthClients.id, ids))) names.set(c.id, c.name);
    const rowsOfGrants = await deps.db
      .select({ id: grants.id, clientId: grants.clientId, channel: grants.channel, revokedAt: grants.revokedAt, revokedReason: grants.revokedReason, lastUsedAt: grants.lastUsedAt, createdAt: grants.createdAt })
      .from(grants)
      .where(and(eq(grants.projectId, project.id), inArray(grants.clientId, ids)));
    for (const g of rowsOfGrants) grantsOf.set(g.clientId, [...(grantsOf.get(g.clientId) ?? []), g]);
  }
  const unauthenticated = byClient.get(null)?.filter((e) => e.step === "mcp" && e.outcome === "fail") ?? [];
  const clients: ClientReport[] = [];
  for (const [id, events] of byClient) {
    const name = id === null ? "Hosts not yet identified" : (names.get(id) ?? id);
    const ctx = { now, publicUrl, urls, clientId: id, name, events, grants: id === null ? [] : (grantsOf.get(id) ?? []), unauthenticated };
    const findings = id === null ? [] : CLIENT_RULES.map((rule) => rule(ctx)).filter((f): f is Finding => f !== null).sort(newestFirst);
    const revision = events.find((e) => e.step === "mcp" && e.outcome === "ok" && typeof e.detail.revision === "string")?.detail.revision;
    clients.push({ clientId: id, name, lastSeen: events[0]!.time, protocolVersion: typeof revision === "string" ? revision : null, events, findings });
  }
  // Newest activity first; the steps no client was named in (metadata fetches, 401s without a token) last.
  clients.sort((a, b) => Number(a.clientId === null) - Number(b.clientId === null) || b.lastSeen - a.lastSeen);
  const allEvents = rows.map(toEvent);
  const projectFindings = PROJECT_RULES.map((rule) => rule({ now, publicUrl, urls, events: allEvents }))
    .filter((f): f is Finding => f !== null)
    .sort(newestFirst);
  return { org: access.org.slug, project: project.slug, publicUrl, projectFindings, clients };
}
