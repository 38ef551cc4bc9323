/**
 * The Server page's "Recent connection steps" card: the connection doctor's record of each host's OAuth and
 * MCP handshake with this project (docs/architecture.md: Connection doctor), so a failed "Connect" in a host can be read
 * here instead of in server logs. Ids and outcomes only; the doctor never records a credential. Above the
 * steps, the apps connected now, each with the MCP revision it speaks (2026-07-28 stateless or a 2025 one).
 */
import type { Deps } from "../../deps";
import { listHandshakes, type HandshakeStep } from "../../doctor/handshake";
import { listGrants } from "../../oauth/grants";
import { userEmails } from "../../services/org-events";
import { html, type Html } from "../../web/html";
import type { ProjectAccess } from "../../services/access";
import { table, when } from "../ui";

const SHOWN = 15;

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

/** "2026-07-28 (stateless)", "2025-11-25", or a muted "not seen yet". */
function revisionLabel(revision: string | null): Html {
  if (!revision) return html`<span class="muted">not seen yet</span>`;
  return revision >= "2026-07-28" ? html`<code>${revision}</code> <span class="muted small">stateless</span>` : html`<code>${revision}</code>`;
}

/** The apps connected to this project now (live grants), with the MCP revision each one speaks. */
async function connectedApps(deps: Deps, grants: Awaited<ReturnType<typeof listGrants>>): Promise<Html> {
  if (!grants.length) return html`<p class="muted">No app is connected through OAuth.</p>`;
  const emails = await userEmails(deps, grants.map((g) => g.userId));
  const rows = grants.map(
    (g) => html`<tr><td>${g.clientName}</td><td>${emails.get(g.userId) ?? g.userId}</td><td>${g.channel}</td><td>${revisionLabel(g.protocolVersion)}</td><td>${when(g.lastUsedAt)}</td></tr>`,
  );
  return table(["App", "User", "Channel", "MCP revision", "Last used (UTC)"], rows);
}

/** The apps connected now and the newest handshake steps of hosts connecting to this project (developers and above). */
export async function connectionsCard(deps: Deps, access: ProjectAccess): Promise<Html> {
  const steps = await listHandshakes(deps.db, access.project.id, SHOWN);
  const grants = await listGrants(deps, { projectId: access.project.id });
  const names = new Map(grants.map((g) => [g.clientId, g.clientName]));
  const rows = steps.map(
    (s) => html`<tr><td>${when(s.time)}</td><td>${s.clientId ? (names.get(s.clientId) ?? html`<code class="small">${s.clientId}</code>`) : html`<span class="muted">unknown app</span>`}</td>
<td>${STEP_WORDS[s.step as HandshakeStep] ?? s.step}${s.protocolVersion ? html`<div class="small">MCP ${s.protocolVersion}</div>` : ""}</td><td><span class="badge ${s.outcome === "ok" ? "ok" : "err"}">${s.outcome === "ok" ? "ok" : "failed"}</span>${s.reason ? html`<div class="small">${s.reason}</div>` : ""}</td></tr>`,
  );
  return html`<div class="card"><h2>Connected apps</h2>
<p class="muted small">Apps authorized on this project now, and the MCP revision each one speaks.</p>
${await connectedApps(deps, grants)}</div>
<div class="card"><h2>Recent connection steps</h2>
<p class="muted small">What hosts did while connecting to this project, newest first. A failed step says why.</p>
${steps.length ? table(["Time (UTC)", "App", "Step", "Outcome"], rows) : html`<p class="muted">No host has tried to connect yet.</p>`}</div>`;
}
