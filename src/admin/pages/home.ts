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
import { ConflictError, ValidationError } from "../../errors";
import { SLUG_PATTERN } from "../../projects/slugs";

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

/** A refused create: what the user typed and each field's problem (issue 16 #9: every error at once). */
interface CreateRefusal {
  values: Record<string, string>;
  errors: Array<{ field: string; message: string }>;
}

function fieldError(r: CreateRefusal | undefined, org: Org, name: string): { attrs: Html; text: Html } {
  const messages = (r?.errors ?? []).filter((e) => e.field === name).map((e) => e.message);
  if (!messages.length) return { attrs: html``, text: html`` };
  const id = `np-e-${name}-${org.slug}`;
  return { attrs: html` aria-invalid="true" aria-describedby="${id}"`, text: html`<div class="field-error" id="${id}">${messages.join("; ")}</div>` };
}

function createForm(org: Org, csrf: string, refusal?: CreateRefusal): Html {
  const name = fieldError(refusal, org, "name");
  const slug = fieldError(refusal, org, "slug");
  const v = refusal?.values ?? {};
  // A refused slug keeps what was typed and counts as the user's own (portico.js then stops filling it).
  return html`<details class="card"${refusal ? html` open` : ""}><summary><strong>New project</strong></summary>
<form method="post" action="${orgPath(org, "/new")}">${csrfField(csrf)}
<label for="np-name-${org.slug}">Name</label><input id="np-name-${org.slug}" name="name" type="text" placeholder="Shop assistant" maxlength="100" value="${v.name ?? ""}"${name.attrs}>${name.text}
<label for="np-slug-${org.slug}">URL name</label><input id="np-slug-${org.slug}" name="slug" type="text" required pattern="${SLUG_PATTERN}" maxlength="48" placeholder="shop" data-slug-from="np-name-${org.slug}" value="${v.slug ?? ""}"${v.slug ? html` data-edited="1"` : ""}${slug.attrs}>${slug.text}
<div class="muted small">Lowercase letters, digits and dashes. The MCP URL becomes <code>/${org.slug}/&lt;URL name&gt;</code>.</div>
<div class="actions"><button type="submit" data-busy="Creating…">Create project</button></div></form></details>`;
}

function orgSection(org: Org, role: Role, projects: Project[], csrf: string, heading: boolean, refusal?: CreateRefusal): Html {
  const canCreate = roleAtLeast(role, "admin");
  const list = projects.length
    ? projectRows(org, projects)
    : emptyState(
        canCreate
          ? "No projects yet. Create one below, add a tool, publish it, and paste its URL into Claude or ChatGPT."
          : "No projects yet. Ask an admin of this organization to create one.",
      );
  return html`<section>${heading ? html`<h2><a href="${orgPath(org)}">${org.name}</a> <span class="badge">${role}</span></h2>` : ""}
${list}${canCreate ? createForm(org, csrf, refusal) : ""}</section>`;
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
      const fields = postedForm(request, body, access);
      try {
        const project = await invoke(createProjectOperation, deps, access, fields);
        return redirect(projectPath(access.org, project, "?ok=created"));
      } catch (err) {
        if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
        // The org page again, the form open with what was typed and each problem beside its field.
        const details = Array.isArray(err.details) ? (err.details as Array<{ field: string; message: string }>) : [];
        const errors = err instanceof ConflictError ? [{ field: "slug", message: "is already used by another project here" }] : details;
        const refusal = { values: { name: fields.name ?? "", slug: fields.slug ?? "" }, errors };
        const section = orgSection(access.org, access.role, await listProjects(deps.db, access.org.id), csrfOf(access), false, refusal);
        return adminPage({
          title: access.org.name, user: access.user, role: access.role, org: access.org, orgTab: "projects", status: err.status,
          flash: { kind: "error", text: new Set(errors.map((e) => e.field)).size > 1 ? "Both fields need a change: see the messages below each one." : "The project was not created: see the message below." },
          body: html`<h1>Projects</h1>${section}`,
        });
      }
    });
}
