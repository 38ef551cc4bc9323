/**
 * Project → Settings (`/admin/{org}/{project}/settings`), its own tab since issue 16 #1 (the Server page is
 * about URLs and connecting): name, whether audit rows keep call payloads, audit retention, and where the
 * management tools for hosts are offered (issue 16 #3). Read-only below admin.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { roleAtLeast } from "../../auth/scopes";
import type { ManagementToolsSetting } from "../../domain";
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

const MANAGEMENT_CHOICES: { value: ManagementToolsSetting; label: string; hint: string }[] = [
  { value: "off", label: "Off", hint: "No host gets portico_* tools for this project." },
  { value: "draft", label: "On the draft URL (default)", hint: "Hosts connected to the draft URL can edit draft tools and instructions; admins' can also publish, roll back and read the audit log, members and authorized apps." },
  { value: "draft_and_production", label: "On the draft and production URLs", hint: "Production connections get them too, and the consent page then offers production grants the management permissions." },
];

function managementRadios(current: ManagementToolsSetting): Html {
  return html`<div role="radiogroup" aria-labelledby="ps-management"><h3 id="ps-management">Management tools for hosts</h3>
<p class="muted small">Portico's own portico_* tools let members' AI hosts work on this project, within each member's role.</p>
${MANAGEMENT_CHOICES.map(
  (c) => html`<label class="check"><input type="radio" name="managementTools" value="${c.value}"${c.value === current ? html` checked` : ""}> ${c.label}</label><div class="muted small hint">${c.hint}</div>`,
)}</div>`;
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
${managementRadios(p.managementTools)}
${editable ? html`<div class="actions"><button type="submit" class="secondary">Save settings</button></div>` : html`<p class="muted small">Only admins can change these settings.</p>`}
</fieldset></form></div>`;
}

const FLASH = { settings: "Settings saved." };

/** The settings page and its form post. */
export function projectSettingsPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/settings", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      return adminPage({ title: `Settings · ${project.name}`, user: access.user, role: access.role, org, project, projectTab: "settings", flash: flashFrom(request, FLASH), body: html`<h1>Settings</h1>${settingsCard(access)}` });
    })
    .post("/admin/:org/:project/settings", async ({ request, params, body }) => {
    const access = await projectPageAccess(deps, request, params.org, params.project);
    const { project } = await invoke(updateProjectSettings, deps, access, settingsFromForm(postedForm(request, body, access)));
    return done(projectPath(access.org, project, "/settings"), "settings");
  });
}
