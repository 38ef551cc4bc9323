/** `/api/v1/me`, `/api/v1/orgs/{org}/projects` and `/api/v1/projects/{org}/{project}` (server info, visibility). */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { listOrgsOf } from "../projects/orgs";
import { channelUrl, listProjects } from "../projects/projects";
import type { Project } from "../db/schema";
import { invoke } from "../services/operation";
import { createProjectOperation, setVisibilityOperation, toolsUsingSecrets, updateProjectSettings } from "../services/projects";
import { apiOrgAccess, apiProjectAccess, apiSessionOnly } from "./caller";
import { created, doc, opDoc } from "./doc";

function projectJson(deps: Deps, orgSlug: string, p: Project) {
  return {
    id: p.id, slug: p.slug, name: p.name, visibility: p.visibility, published: p.productionVersionId !== null,
    urls: {
      production: channelUrl(deps.config.publicUrl, orgSlug, p.slug, "production"),
      draft: channelUrl(deps.config.publicUrl, orgSlug, p.slug, "draft"),
    },
    settings: { storePayloads: p.storePayloads, auditRetentionDays: p.auditRetentionDays, managementTools: p.managementTools },
    createdAt: p.createdAt, updatedAt: p.updatedAt,
  };
}

/** Account, project list and project info API routes. */
export function projectRoutes(deps: Deps) {
  return new Elysia()
    .get(
      "/me",
      async ({ request }) => {
        const { user, via } = await apiSessionOnly(deps, request);
        return {
          user: { id: user.id, email: user.email, name: user.name },
          csrfToken: via.kind === "session" ? via.csrfSecret : null,
          orgs: (await listOrgsOf(deps.db, user.id)).map(({ org, role }) => ({ slug: org.slug, name: org.name, role })),
        };
      },
      doc("account", "The signed-in user, their orgs and roles, and the CSRF token for X-CSRF-Token"),
    )
    .get(
      "/orgs/:org/projects",
      async ({ request, params }) => {
        const access = await apiOrgAccess(deps, request, params.org);
        return { projects: (await listProjects(deps.db, access.org.id)).map((p) => projectJson(deps, access.org.slug, p)) };
      },
      doc("projects", "List the org's projects"),
    )
    .post(
      "/orgs/:org/projects",
      async ({ request, params, body }) => {
        const access = await apiOrgAccess(deps, request, params.org);
        return created(projectJson(deps, access.org.slug, await invoke(createProjectOperation, deps, access, body)));
      },
      doc("projects", "Create a project (admin)", { body: createProjectOperation.input }),
    )
    .get(
      "/projects/:org/:project",
      async ({ request, params }) => {
        const access = await apiProjectAccess(deps, request, params.org, params.project);
        return { ...projectJson(deps, access.org.slug, access.project), role: access.role, toolsUsingSecrets: await toolsUsingSecrets(deps, access.project) };
      },
      doc("projects", "Project server info: MCP URLs, visibility, tools that use secrets"),
    )
    .put(
      "/projects/:org/:project/visibility",
      async ({ request, params, body }) => {
        const access = await apiProjectAccess(deps, request, params.org, params.project);
        return projectJson(deps, access.org.slug, (await invoke(setVisibilityOperation, deps, access, body)).project);
      },
      opDoc("projects", setVisibilityOperation),
    )
    .patch(
      "/projects/:org/:project/settings",
      async ({ request, params, body }) => {
        const access = await apiProjectAccess(deps, request, params.org, params.project);
        return projectJson(deps, access.org.slug, (await invoke(updateProjectSettings, deps, access, body)).project);
      },
      opDoc("projects", updateProjectSettings),
    );
}
