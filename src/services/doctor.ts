/**
 * TEMPORARY STAND-IN (branch `doctor-faces`): the connection doctor's report service is written on the
 * `doctor` branch (event capture, rules, findings). This minimal version has the same signature and builds
 * the report from today's `handshake_events` rows — grouped by client, no findings — so the faces (JSON API,
 * `portico_diagnose_connections`, `portico doctor`) can be built and tested against it. REPLACE IT WITH THE
 * `doctor` BRANCH'S `src/services/doctor.ts` AT MERGE.
 *
 * `access` is narrowed to the org and project it reads: the CLI acts as the operator on the data dir, with no
 * member to name (src/cli/commands/doctor.ts), so it has no full `ProjectAccess`.
 */
import { inArray } from "drizzle-orm";
import type { Deps } from "../deps";
import { listHandshakes } from "../doctor/handshake";
import type { ClientReport, DoctorEvent, DoctorReport } from "../doctor/report";
import type { ProjectAccess } from "./access";

const EVENTS_PER_CLIENT = 50;

export async function diagnoseConnections(deps: Deps, access: Pick<ProjectAccess, "org" | "project">, opts: { clientId?: string } = {}): Promise<DoctorReport> {
  const rows = await listHandshakes(deps.db, access.project.id, 500);
  const byClient = new Map<string | null, typeof rows>();
  for (const row of rows) {
    if (opts.clientId !== undefined && row.clientId !== opts.clientId) continue;
    const list = byClient.get(row.clientId) ?? [];
    list.push(row);
    byClient.set(row.clientId, list);
  }
  const ids = [...byClient.keys()].filter((id): id is string => id !== null);
  const { oauthClients } = deps.db.t;
  const names = new Map(
    ids.length ? (await deps.db.select({ id: oauthClients.id, name: oauthClients.name }).from(oauthClients).where(inArray(oauthClients.id, ids))).map((c) => [c.id, c.name]) : [],
  );
  const clients: ClientReport[] = [...byClient.entries()].map(([clientId, list]) => ({
    clientId,
    name: clientId === null ? "Unknown app" : (names.get(clientId) ?? clientId),
    lastSeen: list[0]!.time,
    protocolVersion: list.find((r) => r.protocolVersion)?.protocolVersion ?? null,
    events: list.slice(0, EVENTS_PER_CLIENT).map(
      (r): DoctorEvent => ({ id: r.id, time: r.time, step: r.step, outcome: r.outcome, reason: r.reason, detail: r.protocolVersion ? { protocolVersion: r.protocolVersion } : {} }),
    ),
    findings: [],
  }));
  clients.sort((a, b) => b.lastSeen - a.lastSeen);
  return { org: access.org.slug, project: access.project.slug, publicUrl: deps.config.publicUrl, projectFindings: [], clients };
}
