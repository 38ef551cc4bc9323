/**
 * Project → Audit log (`/admin/{org}/{project}/audit`): every MCP request (and every test run from a tool's
 * page, marked as such) with filters, cursor pages, a
 * detail view (input, output, error, handler logs) and export of the filtered set as JSONL or CSV.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { listMembers } from "../../projects/orgs";
import { html, type Html } from "../../web/html";
import { adminPage, projectPath } from "../layout";
import { projectPageAccess } from "../context";
import { AUDIT_STATUS_LABELS, auditClientOptions, downloadResponse, exportAuditLog, getAuditEvent, listAudit, type NamedAuditEvent } from "../../services/audit";
import { invoke } from "../../services/operation";
import type { ProjectAccess } from "../../services/access";
import { emptyState, nextPageLink, selectField, table, when } from "../ui";

/** How a test run from a tool's page is named in the log (issue 16 #2; db/SCHEMA.md: audit_events.source). */
const TEST_RUN_WORDS = "test run from the tool page";

/** A name with its id beside it, small (the id is what the API and exports join on); the id alone when the name is gone. */
function named(name: string | null, id: string | null): Html | null {
  if (!id) return null;
  return name ? html`${name} <code class="muted small">${id}</code>` : html`<code>${id}</code>`;
}

function pretty(text: string | null): Html {
  if (text === null || text === "") return html`<span class="muted">not stored</span>`;
  try {
    return html`<pre>${JSON.stringify(JSON.parse(text), null, 2)}</pre>`;
  } catch {
    return html`<pre>${text}</pre>`;
  }
}

/** The status badge: the log's one status vocabulary, the error class beside a failure. */
function statusBadge(e: Pick<NamedAuditEvent, "status" | "errorClass">): Html {
  return html`<span class="badge ${e.status === "ok" ? "ok" : "err"}">${AUDIT_STATUS_LABELS[e.status]}</span>${e.errorClass ? html` <span class="muted small">${e.errorClass} error</span>` : ""}`;
}

/** Who called, by name: the user's email (or anonymous), then the app or API key it came through. */
function caller(e: NamedAuditEvent): Html {
  const who = e.principal === "anonymous" ? html`<span class="muted">anonymous</span>` : e.userEmail ?? (e.userId ? html`<span class="muted">a former member</span>` : "");
  const via = e.apiKeyId ? `API key: ${e.apiKeyName ?? "removed key"}` : e.clientId ? (e.clientName ?? "removed app") : null;
  return html`${who}${via ? html`<div class="small">${via}</div>` : ""}`;
}

async function filterForm(deps: Deps, access: ProjectAccess, q: Record<string, string | undefined>): Promise<Html> {
  const members = (await listMembers(deps.db, access.org.id)).map((m): [string, string] => [m.userId, m.email]);
  const input = (label: string, name: string, type: string, placeholder = "") =>
    // step=1: a time bound to the second, as the log shows times (issue 16 #6).
    html`<div><label for="f-${name}">${label}</label><input id="f-${name}" type="${type}" name="${name}" value="${q[name] ?? ""}" placeholder="${placeholder}"${type === "datetime-local" ? html` step="1"` : ""}></div>`;
  return html`<form method="get" class="filter-grid card">
${input("Tool", "tool", "text", "any part of a tool name")}
${selectField("Status", "status", q.status, Object.entries(AUDIT_STATUS_LABELS))}
${selectField("User", "user", q.user, members)}
${selectField("Client", "client", q.client, (await auditClientOptions(deps, access)).map((c): [string, string] => [c.id, `${c.kind === "apikey" ? "API key: " : ""}${c.name}${c.revoked ? " (revoked)" : ""}`]))}
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
      const { events, nextCursor, empty } = await invoke(listAudit, deps, access, query);
      const rows = events.map(
        (e) => html`<tr><td><a href="${`${base}/${e.id}`}">${when(e.time, { seconds: true })}</a></td><td><code>${e.tool ?? e.method}</code>${e.version ? html`<div class="muted small">v${e.version}</div>` : ""}</td>
<td>${statusBadge(e)}</td>
<td>${caller(e)}<div class="muted small">${e.source === "test-run" ? TEST_RUN_WORDS : (e.host ?? "")}</div></td>
<td>${e.channel}</td><td>${e.durationMs} ms</td></tr>`,
      );
      const emptyCard = empty === "none-yet"
        ? emptyState("No calls yet. Every MCP request to this project is recorded here once a host connects.")
        : emptyState("No calls match these filters.", html`<a class="button secondary" href="${base}">Clear filters</a>`);
      const body = html`<h1>Audit log</h1>${await filterForm(deps, access, query as Record<string, string | undefined>)}
${events.length ? html`${table(["Time (UTC)", "Tool", "Status", "Caller", "Channel", "Duration"], rows)}${nextPageLink(request, "cursor", nextCursor)}` : emptyCard}
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
      const fact = (k: string, v: Html | string | number | null | undefined) => (v === null || v === undefined || v === "" ? "" : html`<dt>${k}</dt><dd>${v}</dd>`);
      const body = html`<p><a href="${projectPath(org, project, "/audit")}">← Audit log</a></p><h1>${e.tool ?? e.method} ${statusBadge(e)}</h1>
<div class="card"><dl class="facts">${fact("Time (UTC)", when(e.time, { seconds: true }))}${fact("Channel", e.channel)}${fact("Method", e.method)}${fact("Version", e.version)}
${fact("Source", e.source === "test-run" ? TEST_RUN_WORDS : "MCP request")}${fact("Caller", e.principal)}${fact("User", named(e.userEmail, e.userId))}${fact("App (OAuth client)", named(e.clientName, e.clientId))}${fact("Grant", e.grantId)}${fact("API key", named(e.apiKeyName, e.apiKeyId))}
${fact("Host", e.host)}${fact("MCP revision", e.protocolVersion)}${fact("Trace (traceparent)", e.traceparent ? html`<code class="small">${e.traceparent}</code>` : null)}${fact("IP", e.ip)}${fact("Duration", `${e.durationMs} ms`)}${fact("Error class", e.errorClass)}${fact("Error", e.error)}</dl></div>
<div class="card detail"><h2>Input</h2>${pretty(e.input)}<h2>Output</h2>${pretty(e.output)}<h2>Handler logs</h2>${pretty(e.logs)}</div>`;
      return adminPage({ title: "Audit event", user: access.user, role: access.role, org, project, projectTab: "audit", body });
    });
}
