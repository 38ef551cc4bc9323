/** Org → Audit (`/admin/{org}/settings/audit`): member, role, grant, key, visibility and publish events. */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { html, type Html } from "../../web/html";
import { adminPage } from "../layout";
import { orgPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { listOrgAuditEvents, orgEventActions } from "../../services/org-events";
import { emptyState, nextPageLink, selectField, table, when } from "../ui";

/** An event's details as short `key: value` lines (values as compact JSON). */
function detailList(details: unknown): Html {
  if (!details || typeof details !== "object") return html``;
  return html`${Object.entries(details).map(([k, v]) => html`<div><span class="muted">${k}:</span> <code>${typeof v === "string" ? v : JSON.stringify(v)}</code></div>`)}`;
}

/** Org audit log route. */
export function orgAuditPages(deps: Deps) {
  return new Elysia().get("/admin/:org/settings/audit", async ({ request, params, query }) => {
    const access = await orgPageAccess(deps, request, params.org);
    const { events, next } = await invoke(listOrgAuditEvents, deps, access, query);
    const action = (query as Record<string, string | undefined>).action;
    const actions = (await orgEventActions(deps, access.org.id)).map((a): [string, string] => [a, a]);
    const rows = events.map(
      (e) => html`<tr><td>${when(e.time)}</td><td><code>${e.action}</code></td><td>${e.actorEmail ?? html`<span class="muted">${e.actorId ? "former user" : "system"}</span>`}</td>
<td>${e.targetType ? html`<span class="muted small">${e.targetType}</span> <code>${e.targetId ?? ""}</code>` : ""}</td>
<td class="details">${detailList(e.details)}</td></tr>`,
    );
    const body = html`<h1>Organization audit log</h1>
<form method="get" class="filter-grid card">${selectField("Event", "action", action, actions, "All events")}<div><button type="submit" class="secondary">Filter</button></div></form>
${events.length ? html`${table(["Time (UTC)", "Event", "By", "Target", "Details"], rows)}${nextPageLink(request, "before", next)}` : emptyState("No events yet.")}`;
    return adminPage({ title: "Organization audit", user: access.user, role: access.role, org: access.org, orgTab: "audit", body });
  });
}
