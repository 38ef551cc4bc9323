/**
 * The Server page's "Recent connection steps" card: the connection doctor's record of each host's OAuth and
 * MCP handshake with this project (docs/architecture.md: Connection doctor), so a failed "Connect" in a host can be read
 * here instead of in server logs. Ids and outcomes only; the doctor never records a credential.
 */
import type { Deps } from "../../deps";
import { listHandshakes, type HandshakeStep } from "../../doctor/handshake";
import { listGrants } from "../../oauth/grants";
import { html, type Html } from "../../web/html";
import type { ProjectAccess } from "../../services/access";
import { table, when } from "../ui";

const SHOWN = 15;

const STEP_WORDS: Record<HandshakeStep, string> = {
  resource_metadata: "found the server's sign-in details",
  registration: "registered itself",
  client_metadata: "Portico read the app's metadata document",
  authorize: "opened the authorization page",
  consent: "user answered the consent page",
  token: "exchanged the code for tokens",
  refresh: "refreshed its token",
  revoke: "revoked a token",
  mcp: "first authenticated MCP call",
};

/** The newest handshake steps of hosts connecting to this project (developers and above). */
export function connectionsCard(deps: Deps, access: ProjectAccess): Html {
  const steps = listHandshakes(deps.db, access.project.id, SHOWN);
  const names = new Map(listGrants(deps, { projectId: access.project.id }).map((g) => [g.clientId, g.clientName]));
  const rows = steps.map(
    (s) => html`<tr><td>${when(s.time)}</td><td>${s.clientId ? (names.get(s.clientId) ?? html`<code class="small">${s.clientId}</code>`) : html`<span class="muted">unknown app</span>`}</td>
<td>${STEP_WORDS[s.step as HandshakeStep] ?? s.step}</td><td><span class="badge ${s.outcome === "ok" ? "ok" : "err"}">${s.outcome === "ok" ? "ok" : "failed"}</span>${s.reason ? html`<div class="small">${s.reason}</div>` : ""}</td></tr>`,
  );
  return html`<div class="card"><h2>Recent connection steps</h2>
<p class="muted small">What hosts did while connecting to this project, newest first. A failed step says why.</p>
${steps.length ? table(["Time (UTC)", "App", "Step", "Outcome"], rows) : html`<p class="muted">No host has tried to connect yet.</p>`}</div>`;
}
