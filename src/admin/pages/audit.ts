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
import { roleAtLeast } from "../../auth/scopes";
import { csrfField, redirect } from "../../auth/views";
import { AppError } from "../../errors";
import { replayAuditedCall, type ReplayResult } from "../../services/audit-replay";
import { csrfOf, postedForm } from "../context";
import { holdOnce, takeOnce } from "../one-time";
import { heldRun, resultView } from "./tool-test-run";
import { projectChainStatus, signProjectChainHead } from "../../services/audit-chain";
import type { ChainReport } from "../../audit/verify";
import { CHAIN_VERIFY, chainCard, statementDownload } from "./audit-chain-card";

/** How a test run from a tool's page, and a replay, are named in the log (issues 16 #2, 18; db/SCHEMA.md: audit_events.source). */
const SOURCE_WORDS: Record<string, string> = { mcp: "MCP request", "test-run": "test run from the tool page", replay: "replay against the draft" };

/** The one-time kind a replay's result travels under from its POST to the detail page (src/admin/one-time.ts). */
const REPLAY = "audit-replay";

/**
 * The detail page's Replay card (issue 18): re-run this call's input on the current draft of its tool and see
 * both results side by side. Offered to developers and above on recorded tool calls; the run is the service's.
 */
function replayCard(action: string, csrf: string, e: NamedAuditEvent, state: { result?: ReplayResult | null; error?: string }): Html {
  const intro = html`<p class="muted small">Runs this call's recorded input on the current <strong>draft</strong> of <code>${e.tool}</code>, with draft secret values only — production is never touched. The replay is recorded in this log as a replay.</p>`;
  const form = html`<form method="post" action="${action}">${csrfField(csrf)}<div class="actions"><button type="submit">Replay against the draft</button></div></form>`;
  const error = state.error ? html`<p class="field-error" role="alert">${state.error}</p>` : "";
  const r = state.result;
  const sides = r
    ? html`<div class="replay-sides">
<section aria-label="Recorded result"><h3>Recorded</h3><p class="muted small">${r.original.channel}${r.original.version ? ` v${r.original.version}` : ""} · ${AUDIT_STATUS_LABELS[r.original.status as "ok" | "error"] ?? r.original.status} · ${r.original.durationMs} ms</p>
${r.original.error ? html`<p class="small">${r.original.error}</p>` : ""}${r.original.output === null ? html`<span class="muted">not stored</span>` : html`<pre>${JSON.stringify(r.original.output, null, 2)}</pre>`}</section>
<section aria-label="Draft result"><h3>Draft now</h3>${resultView(r.replay)}</section></div>`
    : "";
  return html`<div class="card" id="replay"><h2>Replay against the draft</h2>${intro}${form}${error}${sides}</div>`;
}

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
<td>${caller(e)}<div class="muted small">${e.source && e.source !== "mcp" ? SOURCE_WORDS[e.source] : (e.host ?? "")}</div></td>
<td>${e.channel}</td><td>${e.durationMs} ms</td></tr>`,
      );
      const emptyCard = empty === "none-yet"
        ? emptyState("No calls yet. Every MCP request to this project is recorded here once a host connects.")
        : emptyState("No calls match these filters.", html`<a class="button secondary" href="${base}">Clear filters</a>`);
      const handle = new URL(request.url).searchParams.get("chain");
      const verified = handle && access.via.kind === "session" ? takeOnce<ChainReport>(deps, access.via.sessionId, CHAIN_VERIFY, handle) : null;
      const chain = chainCard({
        status: await invoke(projectChainStatus, deps, access, {}), verifyAction: `${base}/verify`, csrf: csrfOf(access), result: verified,
        statementHref: roleAtLeast(access.role, signProjectChainHead.permission.role) ? `${base}/statement.json` : null,
      });
      const body = html`<h1>Audit log</h1>${await filterForm(deps, access, query as Record<string, string | undefined>)}
${events.length ? html`${table(["Time (UTC)", "Tool", "Status", "Caller", "Channel", "Duration"], rows)}${nextPageLink(request, "cursor", nextCursor)}` : emptyCard}
${exportLinks(request, base)}${chain}`;
      return adminPage({ title: "Audit log", user: access.user, role: access.role, org, project, projectTab: "audit", body });
    })
    .post("/admin/:org/:project/audit/verify", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      postedForm(request, body, access);
      const { verification } = await invoke(projectChainStatus, deps, access, { verify: true });
      const handle = access.via.kind === "session" ? holdOnce(deps, access.via.sessionId, CHAIN_VERIFY, verification) : "";
      return redirect(`${projectPath(access.org, access.project, "/audit")}?chain=${encodeURIComponent(handle)}#chain`);
    })
    .get("/admin/:org/:project/audit/statement.json", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const signed = await invoke(signProjectChainHead, deps, access, {});
      return statementDownload(signed, `${access.org.slug}-${access.project.slug}`);
    })
    .get("/admin/:org/:project/audit/export.jsonl", async ({ request, params, query }) =>
      downloadResponse(await invoke(exportAuditLog, deps, await projectPageAccess(deps, request, params.org, params.project), { ...query, format: "jsonl" })),
    )
    .get("/admin/:org/:project/audit/export.csv", async ({ request, params, query }) =>
      downloadResponse(await invoke(exportAuditLog, deps, await projectPageAccess(deps, request, params.org, params.project), { ...query, format: "csv" })),
    )
    .post("/admin/:org/:project/audit/:id/replay", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      postedForm(request, body, access);
      const id = Number.parseInt(params.id, 10) || 0;
      const detail = `${projectPath(access.org, access.project, `/audit/${id}`)}`;
      try {
        const result = await invoke(replayAuditedCall, deps, access, { id });
        const held = { ...result, replay: heldRun(result.replay) };
        const handle = access.via.kind === "session" ? holdOnce(deps, access.via.sessionId, REPLAY, held) : "";
        return redirect(`${detail}?replay=${encodeURIComponent(handle)}#replay`);
      } catch (err) {
        // A call that cannot be replayed (payloads off, the tool gone, input no longer valid) is explained in the card.
        if (!(err instanceof AppError) || err.status >= 500 || err.status === 403) throw err;
        return detailPage(deps, request, access, id, { error: err.message.replace(/^id: /, "") }, 400);
      }
    })
    .get("/admin/:org/:project/audit/:id", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const handle = new URL(request.url).searchParams.get("replay");
      const result = handle && access.via.kind === "session" ? takeOnce<ReplayResult>(deps, access.via.sessionId, REPLAY, handle) : null;
      return detailPage(deps, request, access, Number.parseInt(params.id, 10) || 0, { result });
    });
}

/** One event in full, with the Replay card for tool calls when the viewer may use the draft. */
async function detailPage(deps: Deps, _request: Request, access: ProjectAccess, id: number, replay: { result?: ReplayResult | null; error?: string }, status = 200) {
      const { org, project } = access;
      const e = await invoke(getAuditEvent, deps, access, { id });
      const fact = (k: string, v: Html | string | number | null | undefined) => (v === null || v === undefined || v === "" ? "" : html`<dt>${k}</dt><dd>${v}</dd>`);
      const body = html`<p><a href="${projectPath(org, project, "/audit")}">← Audit log</a></p><h1>${e.tool ?? e.method} ${statusBadge(e)}</h1>
<div class="card"><dl class="facts">${fact("Time (UTC)", when(e.time, { seconds: true }))}${fact("Channel", e.channel)}${fact("Method", e.method)}${fact("Version", e.version)}
${fact("Source", SOURCE_WORDS[e.source ?? "mcp"] ?? e.source)}${fact("Caller", e.principal)}${fact("User", named(e.userEmail, e.userId))}${fact("App (OAuth client)", named(e.clientName, e.clientId))}${fact("Grant", e.grantId)}${fact("API key", named(e.apiKeyName, e.apiKeyId))}
${fact("Host", e.host)}${fact("MCP revision", e.protocolVersion)}${fact("Trace (traceparent)", e.traceparent ? html`<code class="small">${e.traceparent}</code>` : null)}${fact("IP", e.ip)}${fact("Duration", `${e.durationMs} ms`)}${fact("Error class", e.errorClass)}${fact("Error", e.error)}</dl></div>
<div class="card detail"><h2>Input</h2>${pretty(e.input)}<h2>Output</h2>${pretty(e.output)}<h2>Handler logs</h2>${pretty(e.logs)}</div>
${e.method === "tools/call" && e.tool && roleAtLeast(access.role, replayAuditedCall.permission.role) ? replayCard(`${projectPath(org, project, `/audit/${e.id}`)}/replay`, csrfOf(access), e, replay) : ""}`;
      return adminPage({ title: "Audit event", user: access.user, role: access.role, org, project, projectTab: "audit", body, status });
}
