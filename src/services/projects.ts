/** Project operations shared by the settings pages and the JSON API. */
import { z } from "zod";
import type { Deps } from "../deps";
import { recordOrgEvent } from "../audit/org-audit";
import { createProject, updateProject } from "../projects/projects";
import { listDraftTools } from "../projects/draft";
import { getVersion, setVisibility } from "../projects/publish";
import { CHANNELS, VISIBILITIES, type Project } from "../db/schema";
import { need, type OrgAccess, type ProjectAccess } from "./access";
import { parseInput } from "./input";

/** A new project: its URL slug and display name. */
export const CreateProjectSchema = z.object({
  slug: z.string().trim().toLowerCase().min(1, "required"),
  name: z.string().trim().max(100).optional(),
});

/** Project visibility. */
export const VisibilitySchema = z.object({ visibility: z.enum(VISIBILITIES) });

/** Creates a project in the org (admins and owners). */
export function createProjectOp(deps: Deps, access: OrgAccess, input: unknown): Project {
  need(access, "admin", "create projects");
  const data = parseInput(CreateProjectSchema, input);
  const project = createProject(deps.db, access.org.id, data);
  recordOrgEvent(deps.db, {
    orgId: access.org.id, actorId: access.user.id, action: "project.created", targetType: "project", targetId: project.id, projectId: project.id,
    details: { slug: project.slug },
  });
  return project;
}

/** Public = production answers without a token (DESIGN: Public project); admins only. */
export function setVisibilityOp(deps: Deps, access: ProjectAccess, input: unknown): Project {
  need(access, "admin", "change a project's visibility", ["settings"]);
  const { visibility } = parseInput(VisibilitySchema, input);
  return setVisibility(deps, access.project.id, visibility, access.user.id);
}

/**
 * Tools that use secrets in production (what a public project exposes now) or in the draft (what the next
 * publish exposes), for the warning shown before a project is made public.
 */
export function toolsUsingSecrets(deps: Deps, project: Project): string[] {
  const names = new Set<string>();
  for (const t of listDraftTools(deps, project.id)) if (t.secrets.length) names.add(t.name);
  const live = project.productionVersionId ? getVersion(deps, project.productionVersionId) : null;
  for (const t of live?.snapshot.tools ?? []) if (t.secrets?.length) names.add(t.name);
  return [...names].sort();
}

/** Any subset of the project settings. */
export const ProjectSettingsSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    storePayloads: z.boolean(),
    auditRetentionDays: z.coerce.number().int().min(1).max(3650),
    managementPublish: z.boolean(),
    managementSettings: z.boolean(),
  })
  .partial();

/** The settings form's fields (checkboxes are absent when off) as a settings patch. */
export function settingsFromForm(fields: Record<string, string>) {
  return {
    name: fields.name,
    auditRetentionDays: fields.auditRetentionDays,
    storePayloads: fields.storePayloads === "on",
    managementPublish: fields.managementPublish === "on",
    managementSettings: fields.managementSettings === "on",
  };
}

/**
 * Name, audit payload storage and retention, and the `publish` / `settings` management tools, which stay
 * off until an admin turns them on (DESIGN: Roles and scopes). Toggling those changes tool lists, so both
 * channels hear `list_changed`.
 */
export function updateProjectSettingsOp(deps: Deps, access: ProjectAccess, input: unknown): Project {
  need(access, "admin", "change project settings", ["settings"]);
  const patch = parseInput(ProjectSettingsSchema, input);
  const before = access.project;
  const project = updateProject(deps.db, before.id, patch);
  const changed = Object.fromEntries(Object.entries(patch).filter(([k, v]) => before[k as keyof typeof patch] !== v));
  if (Object.keys(changed).length === 0) return project;
  recordOrgEvent(deps.db, { orgId: access.org.id, actorId: access.user.id, action: "project.settings", targetType: "project", targetId: project.id, projectId: project.id, details: changed });
  if ("managementPublish" in changed || "managementSettings" in changed) {
    for (const channel of CHANNELS) deps.bus.emit("toolsChanged", { projectId: project.id, channel });
  }
  return project;
}
