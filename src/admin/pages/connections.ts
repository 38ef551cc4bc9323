/**
 * The Server page's connection cards (docs/architecture.md: Connection doctor): "Authorized apps" — the apps
 * connected to this project now, each with the MCP revision it speaks — and the connection doctor: per
 * client, its findings (what is wrong and how to fix it, in plain words) above its recorded handshake steps,
 * newest first, so a failed "Connect" in a host can be read here instead of in server logs. The doctor never
 * records a credential. Developers and above (the service's rule, `diagnoseConnections`).
 */
import type { Deps } from "../../deps";
import type { HandshakeStep } from "../../doctor/handshake";
import type { ClientReport, DoctorEvent, DoctorReport, Finding } from "../../doctor/report";
import { listGrants } from "../../oauth/grants";
import { diagnoseConnections } from "../../services/doctor";
import { userEmails } from "../../services/org-events";
import { html, type Html } from "../../web/html";
import type { ProjectAccess } from "../../services/access";
import { table, when } from "../ui";

/** Steps shown per client before the rest folds into a <details>. */
const SHOWN_STEPS = 5;

const STEP_WORDS: Record<HandshakeStep, string> = {
  resource_metadata: "found the server's sign-in details",
  as_metadata: "read the authorization server's details",
  metadata_miss: "asked for sign-in details at an address Portico does not serve",
  registration: "registered itself",
  client_metadata: "Portico read the app's metadata document",
  authorize: "opened the authorization page",
  consent: "user answered the consent page",
  token: "exchanged the code for tokens",
  refresh: "refreshed its token",
  revoke: "revoked a token",
  mcp: "authenticated MCP call (the first, or the first in a new revision)",
};

/** Words for a step, refined by what its detail says (a consent page shown, a refused MCP call…). */
function stepWords(e: DoctorEvent): string {
  if (e.step === "consent" && e.detail.phase === "shown") return "was shown the consent page";
  if (e.step === "consent" && e.detail.phase === "approved") return "user approved on the consent page";
  if (e.step === "mcp" && e.outcome === "fail") return "MCP call refused";
  return STEP_WORDS[e.step as HandshakeStep] ?? e.step;
}

/** Detail keys shown on the timeline, in this order (the rest stays in the JSON API). */
const DETAIL_SHOWN: Array<[string, string]> = [
  ["path", "path"],
  ["seen", "arrived as"],
  ["channel", "channel"],
  ["status", "HTTP"],
  ["error", "error"],
  ["metadataUrl", "document"],
  ["fetch", "fetch"],
  ["redirect", "redirect"],
  ["reuse", "reuse"],
  ["tokenFor", "token for"],
  ["scope", "scope"],
  ["grant", "grant"],
];

function detailLine(e: DoctorEvent): Html {
  const parts = DETAIL_SHOWN.filter(([k]) => e.detail[k] !== undefined && e.detail[k] !== null).map(([k, label]) => html`${label} <code>${String(e.detail[k])}</code>`);
  return parts.length ? html`<div class="small muted">${parts.flatMap((p, i) => (i ? [html` · `, p] : [p]))}</div>` : html``;
}

/** "2026-07-28 (stateless)", "2025-11-25", or a muted "not seen yet". */
function revisionLabel(revision: string | null): Html {
  if (!revision) return html`<span class="muted">not seen yet</span>`;
  return revision >= "2026-07-28" ? html`<code>${revision}</code> <span class="muted small">stateless</span>` : html`<code>${revision}</code>`;
}

const SEVERITY: Record<Finding["severity"], [string, string]> = { error: ["err", "problem"], warning: ["warn", "warning"], info: ["", "note"] };

function findingsList(findings: Finding[]): Html {
  if (!findings.length) return html``;
  const items = findings.map((f) => {
    const [cls, word] = SEVERITY[f.severity];
    return html`<li class="finding" data-finding="${f.id}"><span class="badge ${cls}">${word}</span> <strong>${f.title}</strong><div class="small">Fix: ${f.fix}</div></li>`;
  });
  return html`<ul class="findings">${items}</ul>`;
}

function stepRow(e: DoctorEvent): Html {
  return html`<tr><td>${when(e.time, { seconds: true })}</td><td>${stepWords(e)}${e.detail.revision ? html`<div class="small">MCP ${String(e.detail.revision)}</div>` : ""}${detailLine(e)}</td>
<td><span class="badge ${e.outcome === "ok" ? "ok" : "err"}">${e.outcome === "ok" ? "ok" : "failed"}</span>${e.reason ? html`<div class="small">${e.reason}</div>` : ""}</td></tr>`;
}

function timeline(events: DoctorEvent[]): Html {
  const head = ["Time (UTC)", "Step", "Outcome"];
  const recent = table(head, events.slice(0, SHOWN_STEPS).map(stepRow));
  const older = events.slice(SHOWN_STEPS);
  if (!older.length) return recent;
  return html`${recent}<details><summary>${older.length} older step${older.length === 1 ? "" : "s"}</summary>${table(head, older.map(stepRow))}</details>`;
}

function clientSection(c: ClientReport): Html {
  const name = c.clientId === null ? html`<span class="muted">${c.name}</span>` : html`${c.name}`;
  const id = c.clientId !== null && c.clientId !== c.name ? html` <code class="small">${c.clientId}</code>` : "";
  return html`<section class="doctor-client" data-client="${c.clientId ?? ""}"><h3>${name}${id}</h3>
<p class="muted small">Last seen ${when(c.lastSeen)} · MCP revision ${revisionLabel(c.protocolVersion)}</p>
${findingsList(c.findings)}${timeline(c.events)}</section>`;
}

/** The connection doctor card: project findings, then each client (newest activity first), or how to connect. */
export function doctorCard(report: DoctorReport, productionUrl: string): Html {
  const empty = html`<p class="muted">No host has tried to connect yet. To connect one, paste the production URL
<code>${productionUrl}</code> into the host (in Claude: Settings → Connectors → Add custom connector) and click Connect;
the steps it takes will show here. See <a href="#connect">Connect an AI host</a> for each host.</p>`;
  return html`<div class="card doctor" id="doctor"><h2>Connection doctor</h2>
<p class="muted small">Recent connection steps per app, newest first, and what they mean. Findings say what went wrong and how to fix it.</p>
${findingsList(report.projectFindings)}${report.clients.length ? report.clients.map(clientSection) : empty}</div>`;
}

/** The apps connected to this project now (live grants), with the MCP revision each one speaks. */
async function authorizedApps(deps: Deps, access: ProjectAccess): Promise<Html> {
  const grants = await listGrants(deps, { projectId: access.project.id });
  if (!grants.length) return html`<p class="muted">No app is connected through OAuth.</p>`;
  const emails = await userEmails(deps, grants.map((g) => g.userId));
  const rows = grants.map(
    (g) => html`<tr><td>${g.clientName}</td><td>${emails.get(g.userId) ?? g.userId}</td><td>${g.channel}</td><td>${revisionLabel(g.protocolVersion)}</td><td>${when(g.lastUsedAt)}</td></tr>`,
  );
  return table(["App", "User", "Channel", "MCP revision", "Last used (UTC)"], rows);
}

/** "Authorized apps" and the connection doctor (developers and above). */
export async function connectionsCard(deps: Deps, access: ProjectAccess, productionUrl: string): Promise<Html> {
  const report = await diagnoseConnections(deps, access);
  return html`<div class="card"><h2>Authorized apps</h2>
<p class="muted small">Apps authorized on this project now, and the MCP revision each one speaks.</p>
${await authorizedApps(deps, access)}</div>
${doctorCard(report, productionUrl)}`;
}
