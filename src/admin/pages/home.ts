/**
 * `/admin`: the user's organizations and their projects, with a create-project form where the user's role
 * allows it, and `/admin/{org}`: one org's projects. Empty states say what to do next.
 */
import { Elysia } from "elysia";
import { requireUser } from "../../auth/current";
import type { Org, Project, Role } from "../../db/schema";
import type { Deps } from "../../deps";
import { listOrgsOf } from "../../projects/orgs";
import { listProjects } from "../../projects/projects";
import { roleAtLeast } from "../../auth/scopes";
import { html, type Html } from "../../web/html";
import { adminPage, orgPath, projectPath } from "../layout";
import { csrfOf, orgPageAccess, postedForm } from "../context";
import { invoke } from "../../services/operation";
import { createProjectOperation } from "../../services/projects";
import { csrfField, emptyState, table } from "../ui";
import { redirect } from "../../auth/views";

function projectRows(org: Org, projects: Project[]): Html {
  return table(
    ["Project", "Visibility", "Production"],
    projects.map(
      (p) => html`<tr><td><a href="${projectPath(org, p)}"><strong>${p.name}</strong></a><div class="muted small">${org.slug}/${p.slug}</div></td>
<td><span class="badge ${p.visibility === "public" ? "warn" : ""}">${p.visibility}</span></td>
<td>${p.productionVersionId ? html`<span class="badge ok">published</span>` : html`<span class="muted">not published yet</span>`}</td></tr>`,
    ),
  );
}

function createForm(org: Org, csrf: string): Html {
  return html`<details class="card"><summary><strong>New project</strong></summary>
<form method="post" action="${orgPath(org, "/new")}">${csrfField(csrf)}
<label for="np-name-${org.slug}">Name</label><input id="np-name-${org.slug}" name="name" type="text" placeholder="Shop assistant" maxlength="100">
<label for="np-slug-${org.slug}">URL name</label><input id="np-slug-${org.slug}" name="slug" type="text" required pattern="[a-z0-9][a-z0-9-]*[a-z0-9]" placeholder="shop">
<div class="muted small">Lowercase letters, digits and dashes. The MCP URL becomes <code>/${org.slug}/&lt;URL name&gt;</code>.</div>
<div class="actions"><button type="submit">Create project</button></div></form></details>`;
}

function orgSection(org: Org, role: Role, projects: Project[], csrf: string, heading: boolean): Html {
  const canCreate = roleAtLeast(role, "admin");
  const list = projects.length
    ? projectRows(org, projects)
    : emptyState(
        canCreate
          ? "No projects yet. Create one below, add a tool, publish it, and paste its URL into Claude or ChatGPT."
          : "No projects yet. Ask an admin of this organization to create one.",
      );
  return html`<section>${heading ? html`<h2><a href="${orgPath(org)}">${org.name}</a> <span class="badge">${role}</span></h2>` : ""}
${list}${canCreate ? createForm(org, csrf) : ""}</section>`;
}

/** `/admin`, `/admin/{org}` and project creation routes. */
export function homePages(deps: Deps) {
  return new Elysia()
    .get("/admin", async ({ request }) => {
      const { user, session } = await requireUser(deps, request);
      const orgs = await listOrgsOf(deps.db, user.id);
      const body = orgs.length
        ? await Promise.all(orgs.map(async ({ org, role }) => orgSection(org, role, await listProjects(deps.db, org.id), session.csrfSecret, true)))
        : [emptyState("You are not a member of any organization yet. Ask an admin for an invite link, or run first-run setup on a new server.")];
      return adminPage({ title: "Your projects", user, body: html`<h1>Your projects</h1>${body}` });
    })
    .get("/admin/:org", async ({ request, params }) => {
      const access = await orgPageAccess(deps, request, params.org);
      const body = orgSection(access.org, access.role, await listProjects(deps.db, access.org.id), csrfOf(access), false);
      return adminPage({ title: access.org.name, user: access.user, role: access.role, org: access.org, orgTab: "projects", body: html`<h1>Projects</h1>${body}` });
    })
    .post("/admin/:org/new", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      const project = await invoke(createProjectOperation, deps, access, postedForm(request, body, access));
      return redirect(projectPath(access.org, project, "?ok=created"));
    });
}
