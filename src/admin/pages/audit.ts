/**
 * Project → Audit log (`/admin/{org}/{project}/audit`): every MCP request (and every test run from a tool's
 * page, marked as such) with filters, cursor pages, a
 * detail view (input, output, error, handler logs) and export of the filtered set as JSONL or CSV.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { listMembers } from "../../projects/orgs";
import { listGrants } from "../../oauth/grants";
import { listApiKeys } from "../../apikeys/keys";
import { html, type Html } from "../../web/html";
import { adminPage, projectPath } from "../layout";
import { projectPageAccess } from "../context";
import { downloadResponse, exportAuditLog, getAuditEvent, listAudit } from "../../services/audit";
import { invoke } from "../../services/operation";
import { userEmails } from "../../services/org-events";
import type { ProjectAccess } from "../../services/access";
import { emptyState, nextPageLink, selectField, table, when } from "../ui";

/** How a test run from a tool's page is named in the log (issue 16 #2; db/SCHEMA.md: audit_events.source). */
const TEST_RUN_WORDS = "test run from the tool page";

function pretty(text: string | null): Html {
  if (text === null || text === "") return html`<span class="muted">not stored</span>`;
  try {
    return html`<pre>${JSON.stringify(JSON.parse(text), null, 2)}</pre>`;
  } catch {
    return html`<pre>${text}</pre>`;
  }
}

/** The callers this project has seen: OAuth clients of its grants and its API keys. */
async function clientOptions(deps: Deps, access: ProjectAccess): Promise<Array<[string, string]>> {
  const clients = new Map<string, string>();
  for (const g of (await listGrants(deps, { projectId: access.project.id }))) clients.set(g.clientId, g.clientName);
  for (const k of (await listApiKeys(deps, access.project.id))) clients.set(k.id, `API key: ${k.name}`);
  return [...clients];
}

async function filterForm(deps: Deps, access: ProjectAccess, q: Record<string, string | undefined>): Promise<Html> {
  const members = (await listMembers(deps.db, access.org.id)).map((m): [string, string] => [m.userId, m.email]);
  const input = (label: string, name: string, type: string, placeholder = "") =>
    html`<div><label for="f-${name}">${label}</label><input id="f-${name}" type="${type}" name="${name}" value="${q[name] ?? ""}" placeholder="${placeholder}"></div>`;
  return html`<form method="get" class="filter-grid card">
${input("Tool", "tool", "text", "tool name")}
${selectField("Status", "status", q.status, [["ok", "ok"], ["error", "error"]])}
${selectField("User", "user", q.user, members)}
${selectField("Client", "client", q.client, await clientOptions(deps, access))}
${input("Host", "host", "text", "claude")}
${selectField("Channel", "channel", q.channel, [["production", "production"], ["draft", "draft"]])}
${input("From (UTC)", "from", "datetime-local")}${input("To (UTC)", "to", "datetime-local")}
<div><button type="submit" class="secondary">Filter</button></div></form>`;
}

function exportLinks(request: Request, base: string): Html {
  const params = new URLSearchParams(new URL(request.url).search);
  params.delete("cursor");
  const qs = params.toString() ? `?${params}` : "";
  return html`<div class="actions"><span class="muted small">Export what the filters match:</span><a class="button secondary" href="${`${base}/export.jsonl${qs}`}" download>JSONL</a><a class="button secondary" href="${`${base}/export.csv${qs}`}" download>CSV</a></div>`;
}

/** Project audit log routes (list, export, detail). */
export function auditPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/audit", async ({ request, params, query }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const base = projectPath(org, project, "/audit");
      const { events, nextCursor } = await invoke(listAudit, deps, access, query);
      const emails = await userEmails(deps, events.map((e) => e.userId));
      const rows = events.map(
        (e) => html`<tr><td><a href="${`${base}/${e.id}`}">${when(e.time)}</a></td><td><code>${e.tool ?? e.method}</code>${e.version ? html`<div class="muted small">v${e.version}</div>` : ""}</td>
<td><span class="badge ${e.status === "ok" ? "ok" : "err"}">${e.status === "ok" ? "ok" : (e.errorClass ?? "error")}</span></td>
<td>${e.principal === "anonymous" ? html`<span class="muted">anonymous</span>` : (e.userId ? emails.get(e.userId) : null) ?? e.userId ?? ""}<div class="muted small">${e.source === "test-run" ? TEST_RUN_WORDS : (e.host ?? "")}</div></td>
<td>${e.channel}</td><td>${e.durationMs} ms</td></tr>`,
      );
      const body = html`<h1>Audit log</h1>${await filterForm(deps, access, query as Record<string, string | undefined>)}
${events.length ? html`${table(["Time (UTC)", "Tool", "Status", "Caller", "Channel", "Duration"], rows)}${nextPageLink(request, "cursor", nextCursor)}` : emptyState("No calls match. Every MCP request to this project is recorded here.")}
${exportLinks(request, base)}`;
      return adminPage({ title: "Audit log", user: access.user, role: access.role, org, project, projectTab: "audit", body });
    })
    .get("/admin/:org/:project/audit/export.jsonl", async ({ request, params, query }) =>
      downloadResponse(await invoke(exportAuditLog, deps, await projectPageAccess(deps, request, params.org, params.project), { ...query, format: "jsonl" })),
    )
    .get("/admin/:org/:project/audit/export.csv", async ({ request, params, query }) =>
      downloadResponse(await invoke(exportAuditLog, deps, await projectPageAccess(deps, request, params.org, params.project), { ...query, format: "csv" })),
    )
    .get("/admin/:org/:project/audit/:id", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const e = await invoke(getAuditEvent, deps, access, { id: Number.parseInt(params.id, 10) || 0 });
      const user = e.userId ? (await userEmails(deps, [e.userId])).get(e.userId) : null;
      const fact = (k: string, v: Html | string | number | null | undefined) => (v === null || v === undefined || v === "" ? "" : html`<dt>${k}</dt><dd>${v}</dd>`);
      const body = html`<p><a href="${projectPath(org, project, "/audit")}">← Audit log</a></p><h1>${e.tool ?? e.method} <span class="badge ${e.status === "ok" ? "ok" : "err"}">${e.status}</span></h1>
<div class="card"><dl class="facts">${fact("Time (UTC)", when(e.time))}${fact("Channel", e.channel)}${fact("Method", e.method)}${fact("Version", e.version)}
${fact("Source", e.source === "test-run" ? TEST_RUN_WORDS : "MCP request")}${fact("Caller", e.principal)}${fact("User", user ?? e.userId)}${fact("OAuth client", e.clientId)}${fact("Grant", e.grantId)}${fact("API key", e.apiKeyId)}
${fact("Host", e.host)}${fact("MCP revision", e.protocolVersion)}${fact("Trace (traceparent)", e.traceparent ? html`<code class="small">${e.traceparent}</code>` : null)}${fact("IP", e.ip)}${fact("Duration", `${e.durationMs} ms`)}${fact("Error class", e.errorClass)}${fact("Error", e.error)}</dl></div>
<div class="card detail"><h2>Input</h2>${pretty(e.input)}<h2>Output</h2>${pretty(e.output)}<h2>Handler logs</h2>${pretty(e.logs)}</div>`;
      return adminPage({ title: "Audit event", user: access.user, role: access.role, org, project, projectTab: "audit", body });
    });
}
