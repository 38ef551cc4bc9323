/**
 * Project → Settings (`/admin/{org}/{project}/settings`), its own tab since issue 16 #1 (the Server page is
 * about URLs and connecting): name, whether audit rows keep call payloads, audit retention, and the opt-in
 * management tools for hosts. Read-only below admin.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { roleAtLeast } from "../../auth/scopes";
import { html, type Html } from "../../web/html";
import type { ProjectAccess } from "../../services/access";
import { adminPage, projectPath } from "../layout";
import { csrfOf, done, flashFrom, postedForm, projectPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { settingsFromForm, updateProjectSettings } from "../../services/projects";
import { csrfField } from "../ui";

function check(name: string, on: boolean, label: string, hint: string): Html {
  return html`<label class="check"><input type="checkbox" name="${name}"${on ? html` checked` : ""}> ${label}</label><div class="muted small hint">${hint}</div>`;
}

/** The settings card (read-only below admin). */
export function settingsCard(access: ProjectAccess): Html {
  const p = access.project;
  const editable = roleAtLeast(access.role, "admin");
  return html`<div class="card"><h2>Settings</h2>
<form method="post" action="${projectPath(access.org, p, "/settings")}">${csrfField(csrfOf(access))}<fieldset${editable ? "" : html` disabled`}>
<label for="ps-name">Name</label><input id="ps-name" name="name" type="text" maxlength="100" required value="${p.name}">
<div class="muted small">Hosts show it as the server's name (with “(draft)” on the draft URL).</div>
<h3>Audit log</h3>
${check("storePayloads", p.storePayloads, "Keep call inputs, outputs and handler logs", "Turn off to record only who called what and how it ended. Secret values are redacted either way.")}
<label for="ps-ret">Keep audit events for (days)</label><input id="ps-ret" name="auditRetentionDays" type="number" min="1" max="3650" value="${String(p.auditRetentionDays)}">
<h3>Management tools for hosts</h3>
<p class="muted small">Let members' AI hosts run Portico's own tools on this project, within each member's role.</p>
${check("managementPublish", p.managementPublish, "Publish and roll back", "Admins' hosts get portico_publish, portico_rollback and portico_list_versions.")}
${check("managementSettings", p.managementSettings, "Settings: audit log, members, authorized apps", "Admins' hosts can query the audit log and list members and authorized apps (never keys or secrets).")}
${editable ? html`<div class="actions"><button type="submit" class="secondary">Save settings</button></div>` : html`<p class="muted small">Only admins can change these settings.</p>`}
</fieldset></form></div>`;
}

const FLASH = { settings: "Settings saved." };

/** The settings page and its form post. */
export function projectSettingsPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/settings", ({ request, params }) => {
      const access = projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      return adminPage({ title: `Settings · ${project.name}`, user: access.user, role: access.role, org, project, projectTab: "settings", flash: flashFrom(request, FLASH), body: html`<h1>Settings</h1>${settingsCard(access)}` });
    })
    .post("/admin/:org/:project/settings", async ({ request, params, body }) => {
    const access = projectPageAccess(deps, request, params.org, params.project);
    const { project } = await invoke(updateProjectSettings, deps, access, settingsFromForm(postedForm(request, body, access)));
    return done(projectPath(access.org, project, "/settings"), "settings");
  });
}
