/**
 * Org → Authorized apps (`/admin/{org}/settings/apps`): every live grant in the org — who, which app (name,
 * redirect host, how it registered), project, channel, scopes, created, last used — with filters and
 * revocation (confirmed), which the grant's next MCP request answers with 401.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { listMembers } from "../../projects/orgs";
import { listProjects } from "../../projects/projects";
import { html, type Html } from "../../web/html";
import { adminPage, orgPath } from "../layout";
import { csrfOf, done, flashFrom, orgPageAccess, postedForm } from "../context";
import { listOrgGrants, revokeOrgGrantOp } from "../../services/grants";
import { invoke } from "../../services/operation";
import type { GrantListItem } from "../../oauth/grants";
import { SCOPE_WORDS, isScope } from "../../auth/scopes";
import { emptyState, pageSlice, postButton, selectField, table, when } from "../ui";

const FLASH = { revoked: "Access revoked. The app's next request is refused; the user can authorize it again." };

const UNVERIFIED_WORDS =
  "This app registered itself (dynamic client registration): its name is what it says it is, and nobody checked it. Trust it as far as the address it returns to.";

/** The app cell: its name, how much to trust that name (the badge links to `unverifiedNote`), and where it sends users back to. */
export function appCell(g: Pick<GrantListItem, "clientName" | "registration" | "redirectHost">): Html {
  const how =
    g.registration === "cimd"
      ? html`<span class="badge ok" title="Identified by an https metadata document on its own domain">verified URL</span>`
      : html`<a class="badge warn" href="#unverified-help" title="${UNVERIFIED_WORDS}">unverified name</a>`;
  return html`<strong>${g.clientName}</strong> ${how}${g.redirectHost ? html`<div class="muted small">returns to ${g.redirectHost}</div>` : ""}`;
}

/** What "unverified name" means (issue 16 #9), shown under a list that has one. */
export function unverifiedNote(grants: Array<Pick<GrantListItem, "registration">>): Html {
  if (!grants.some((g) => g.registration !== "cimd")) return html``;
  return html`<p class="muted small" id="unverified-help"><span class="badge warn">unverified name</span> ${UNVERIFIED_WORDS}
Apps marked <span class="badge ok">verified URL</span> are identified by an https metadata document on their own domain.</p>`;
}

/** Granted scopes in the consent page's words (issue 16 #9); the scope itself stays in the title. */
export function scopeList(scopes: string): Html {
  const list = scopes.split(" ").filter(Boolean);
  return html`<ul class="scopes compact">${list.map((s) => html`<li title="${s}">${isScope(s) ? SCOPE_WORDS[s] : s}</li>`)}</ul>`;
}

/** Authorized apps routes. */
export function appPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/settings/apps", async ({ request, params, query }) => {
      const access = await orgPageAccess(deps, request, params.org);
      const grants = await invoke(listOrgGrants, deps, access, query);
      const { items, pager } = pageSlice(request, grants);
      const projects = await listProjects(deps.db, access.org.id);
      const members = await listMembers(deps.db, access.org.id);
      const q = query as Record<string, string | undefined>;
      const filters = html`<form method="get" class="filter-grid card">
${selectField("Project", "project", q.project, projects.map((p) => [p.id, p.name]))}
${selectField("User", "user", q.user, members.map((m) => [m.userId, `${m.name} (${m.email})`]))}
<div><label for="f-client">App</label><input id="f-client" type="text" name="client" value="${q.client ?? ""}" placeholder="Claude"></div>
${selectField("Channel", "channel", q.channel, [["production", "production"], ["draft", "draft"]])}
<div><button type="submit" class="secondary">Filter</button></div></form>`;
      const rows = items.map(
        (g) => html`<tr><td>${g.userName ? html`<strong>${g.userName}</strong><div class="muted small">${g.userEmail}</div>` : g.userEmail}</td><td>${appCell(g)}</td><td>${g.projectName}</td><td><span class="badge">${g.channel}</span></td>
<td>${scopeList(g.scopes)}</td><td>${when(g.createdAt)}</td><td>${when(g.lastUsedAt)}</td>
<td>${postButton(orgPath(access.org, `/settings/apps/${g.id}/revoke`), "Revoke", csrfOf(access), {
          danger: true,
          confirm: `Revoke ${g.clientName}'s access for ${g.userEmail}? Its next request will be refused.`,
        })}</td></tr>`,
      );
      const list = grants.length
        ? html`${table(["User", "App", "Project", "Channel", "Scopes", "Authorized", "Last used", ""], rows)}${pager}${unverifiedNote(items)}`
        : emptyState("No authorized apps match. When a member connects Claude, ChatGPT or another host to a project, it appears here.");
      const body = html`<h1>Authorized apps</h1><p class="muted">Apps that members connected to this organization's projects. Revoking one disconnects it at its next request.</p>${filters}${list}`;
      return adminPage({ title: "Authorized apps", user: access.user, role: access.role, org: access.org, orgTab: "apps", flash: flashFrom(request, FLASH), body });
    })
    .post("/admin/:org/settings/apps/:grant/revoke", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      postedForm(request, body, access);
      await revokeOrgGrantOp(deps, access, params.grant);
      return done(orgPath(access.org, "/settings/apps"), "revoked");
    });
}
