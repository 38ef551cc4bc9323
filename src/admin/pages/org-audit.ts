/**
 * Org → Audit (`/admin/{org}/settings/audit`): member, role, grant, key, tool, instructions, visibility and
 * publish events, each in words (the service's description), with its project; filters by event, actor and
 * time; export of the filtered set as JSONL or CSV.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { html, type Html } from "../../web/html";
import { adminPage } from "../layout";
import { csrfOf, orgPageAccess, postedForm } from "../context";
import { redirect } from "../../auth/views";
import { holdOnce, takeOnce } from "../one-time";
import type { ChainReport } from "../../audit/verify";
import { orgChainStatus, signOrgChainHead } from "../../services/audit-chain";
import { CHAIN_VERIFY, chainCard, statementDownload } from "./audit-chain-card";
import { invoke } from "../../services/operation";
import { downloadResponse } from "../../services/audit";
import { exportOrgAuditEvents, listOrgAuditEvents, orgActionLabel, orgEventActions, orgEventActors } from "../../services/org-events";
import { emptyState, nextPageLink, selectField, table, when } from "../ui";

function exportLinks(request: Request, base: string): Html {
  const params = new URLSearchParams(new URL(request.url).search);
  params.delete("before");
  const qs = params.toString() ? `?${params}` : "";
  return html`<div class="actions"><span class="muted small">Export what the filters match:</span><a class="button secondary" href="${`${base}/export.jsonl${qs}`}" download>JSONL</a><a class="button secondary" href="${`${base}/export.csv${qs}`}" download>CSV</a></div>`;
}

/** Org audit log routes (list, export). */
export function orgAuditPages(deps: Deps) {
  const exportAs = (format: "jsonl" | "csv") => async ({ request, params, query }: { request: Request; params: { org: string }; query: Record<string, string | undefined> }) =>
    downloadResponse(await invoke(exportOrgAuditEvents, deps, await orgPageAccess(deps, request, params.org), { ...query, format }));
  return new Elysia()
    .get("/admin/:org/settings/audit", async ({ request, params, query }) => {
      const access = await orgPageAccess(deps, request, params.org);
      const base = `/admin/${access.org.slug}/settings/audit`;
      const { events, next } = await invoke(listOrgAuditEvents, deps, access, query);
      const q = query as Record<string, string | undefined>;
      const actions = (await orgEventActions(deps, access.org.id)).map((a): [string, string] => [a, orgActionLabel(a)]).sort((a, b) => a[1].localeCompare(b[1]));
      const actors = (await orgEventActors(deps, access.org.id)).map((a): [string, string] => [a.id, a.email ?? "a former member"]);
      const input = (label: string, name: string) =>
        html`<div><label for="f-${name}">${label}</label><input id="f-${name}" type="datetime-local" step="1" name="${name}" value="${q[name] ?? ""}"></div>`;
      const rows = events.map(
        (e) => html`<tr><td>${when(e.time, { seconds: true })}</td><td>${e.description}</td><td>${e.actorEmail ?? html`<span class="muted">${e.actorId ? "a former member" : "system"}</span>`}</td>
<td>${e.projectName ?? (e.projectId ? html`<span class="muted">a deleted project</span>` : html`<span class="muted">organization</span>`)}</td></tr>`,
      );
      const filtered = Boolean(q.action || q.actor || q.from || q.to);
      const empty = filtered ? emptyState("No events match these filters.", html`<a class="button secondary" href="${base}">Clear filters</a>`) : emptyState("No events yet.");
      const body = html`<h1>Organization audit log</h1>
<form method="get" class="filter-grid card">${selectField("Event", "action", q.action, actions, "All events")}${selectField("By", "actor", q.actor, actors, "Anyone")}
${input("From (UTC)", "from")}${input("To (UTC)", "to")}<div><button type="submit" class="secondary">Filter</button></div></form>
${events.length ? html`${table(["Time (UTC)", "What happened", "By", "Project"], rows)}${nextPageLink(request, "before", next)}` : empty}
${exportLinks(request, base)}${chainCard({
  status: await invoke(orgChainStatus, deps, access, {}), verifyAction: `${base}/verify`, csrf: csrfOf(access), statementHref: `${base}/statement.json`,
  result: access.via.kind === "session" ? takeOnce<ChainReport>(deps, access.via.sessionId, CHAIN_VERIFY, new URL(request.url).searchParams.get("chain")) : null,
})}`;
      return adminPage({ title: "Organization audit", user: access.user, role: access.role, org: access.org, orgTab: "audit", body });
    })
    .post("/admin/:org/settings/audit/verify", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      postedForm(request, body, access);
      const { verification } = await invoke(orgChainStatus, deps, access, { verify: true });
      const handle = access.via.kind === "session" ? holdOnce(deps, access.via.sessionId, CHAIN_VERIFY, verification) : "";
      return redirect(`/admin/${access.org.slug}/settings/audit?chain=${encodeURIComponent(handle)}#chain`);
    })
    .get("/admin/:org/settings/audit/statement.json", async ({ request, params }) => {
      const access = await orgPageAccess(deps, request, params.org);
      return statementDownload(await invoke(signOrgChainHead, deps, access, {}), access.org.slug);
    })
    .get("/admin/:org/settings/audit/export.jsonl", exportAs("jsonl"))
    .get("/admin/:org/settings/audit/export.csv", exportAs("csv"));
}
