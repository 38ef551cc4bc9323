/**
 * Project → Server (`/admin/{org}/{project}`): the production and draft MCP URLs with copy buttons, the
 * visibility switch (making a project public is confirmed on its own page, listing tools that use secrets),
 * how to connect Claude, ChatGPT and other hosts, and a warning when hosted hosts could not reach the public URL
 * (issue 16 #1). The project's settings are on their own tab (project-settings.ts).
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { channelUrl } from "../../projects/projects";
import { channelMinRole, roleAtLeast } from "../../auth/scopes";
import { HTTPS_GUIDE, hostedReachProblems } from "../../lib/hosted-reach";
import { html } from "../../web/html";
import { adminPage, projectPath } from "../layout";
import { csrfOf, done, flashFrom, postedForm, projectPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { setVisibilityOperation, toolsUsingSecrets } from "../../services/projects";
import { copyBox, postButton } from "../ui";
import { connectGuide } from "./connect-guide";
import { connectionsCard } from "./connections";
import { need } from "../../services/access";

const FLASH = {
  created: "Project created. Add a tool on the Tools tab, then publish it.",
  public: "The project is now public: its production URL answers without sign-in.",
  private: "The project is private again: hosts need to sign in.",
};

/** Issue 16 #1: say before anyone tries why Claude or ChatGPT could not connect to this server's URLs. */
function reachWarning(publicUrl: string) {
  const problems = hostedReachProblems(publicUrl);
  if (problems.length === 0) return "";
  return html`<div class="notice warn" role="note" id="reach-warning"><p><strong>Claude, ChatGPT and other hosted apps cannot connect to these URLs.</strong>
They connect from their own cloud, not from your computer, and need a public https address on port 443. Here ${problems.join("; ")}.</p>
<p class="small">Hosts running on this computer (Claude Desktop's local connectors, MCP Inspector, scripts) still work. To connect hosted apps, put Portico behind https and set its public URL (<code>--public-url</code>): see ${HTTPS_GUIDE}.</p></div>`;
}

/** Server page and visibility routes. */
export function serverPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const prod = channelUrl(deps.config.publicUrl, org.slug, project.slug, "production");
      const draft = channelUrl(deps.config.publicUrl, org.slug, project.slug, "draft");
      const isPublic = project.visibility === "public";
      const canManage = roleAtLeast(access.role, "admin");
      const visibility = html`<div class="card"><h2>Visibility</h2>
<p>This project is <span class="badge ${isPublic ? "warn" : ""}">${project.visibility}</span>.
${isPublic ? "Its production URL answers anyone without sign-in (rate-limited per IP, audited as anonymous). The draft stays private." : "Only members of this organization who authorize a host can use it."}</p>
${
  canManage
    ? isPublic
      ? postButton(projectPath(org, project, "/visibility"), "Make private", csrfOf(access), { secondary: true, fields: { visibility: "private" } })
      : html`<a class="button secondary" href="${projectPath(org, project, "/visibility")}">Make public…</a>`
    : html`<p class="muted small">Only admins can change the visibility.</p>`
}</div>`;
      const mayDraft = roleAtLeast(access.role, channelMinRole("draft"));
      // A viewer cannot use the draft (docs/architecture.md "MCP request path"): the URL is named, not offered.
      const draftBox = mayDraft
        ? copyBox(draft, "Copy URL")
        : html`<div class="copy"><code>${draft}</code></div><p class="muted small">Your role (${access.role}) cannot connect to the draft; it needs the developer role or above.</p>`;
      const body = html`<h1>${project.name}</h1>${reachWarning(deps.config.publicUrl)}
<div class="card"><h2>MCP server URLs</h2>
<label>Production <span class="muted small">— the last published version${project.productionVersionId ? "" : "; nothing is published yet"}</span></label>${copyBox(prod, "Copy URL")}
<label>Draft <span class="muted small">— your working copy, for developers and above</span></label>${draftBox}
</div>${visibility}${connectGuide(prod, draft, project.name)}${roleAtLeast(access.role, "developer") ? (await connectionsCard(deps, access, prod)) : ""}`;
      return adminPage({ title: project.name, user: access.user, role: access.role, org, project, projectTab: "server", flash: flashFrom(request, FLASH), body });
    })
    .get("/admin/:org/:project/visibility", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      // The confirmation step is gated by the operation's own rule, so it is shown only to who may confirm it.
      const rule = setVisibilityOperation.permission;
      need(access, rule.role, setVisibilityOperation.what, rule.scopes);
      const { org, project } = access;
      const secretTools = await toolsUsingSecrets(deps, project);
      const warning = secretTools.length
        ? html`<div class="notice error" role="alert"><strong>These tools use secrets:</strong> ${secretTools.join(", ")}.
Anyone on the internet will be able to call them, and so spend whatever those secrets pay for or reach what they unlock.</div>`
        : html`<div class="notice">No tool in this project uses secrets.</div>`;
      const body = html`<h1>Make ${project.name} public?</h1>${warning}
<div class="card"><p>The production URL <code>${`${deps.config.publicUrl}/${org.slug}/${project.slug}`}</code> will answer every MCP request
without sign-in. Calls are rate-limited per IP address and recorded in the audit log as anonymous. The draft stays private.</p>
<div class="actions">${postButton(projectPath(org, project, "/visibility"), "Make public", csrfOf(access), { danger: true, fields: { visibility: "public" } })}
<a class="button secondary" href="${projectPath(org, project)}">Cancel</a></div></div>`;
      return adminPage({ title: "Make public", user: access.user, role: access.role, org, project, projectTab: "server", body });
    })
    .post("/admin/:org/:project/visibility", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { project } = await invoke(setVisibilityOperation, deps, access, postedForm(request, body, access));
      return done(projectPath(access.org, project), project.visibility);
    });
}
