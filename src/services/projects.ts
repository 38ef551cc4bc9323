/** Project operations: create a project, its visibility and its settings (admins and owners). */
import { z } from "zod";
import type { Deps } from "../deps";
import { createProject, updateProject } from "../projects/projects";
import { listDraftTools } from "../projects/draft";
import { getVersion, setVisibility } from "../projects/publish";
import { CHANNELS, MANAGEMENT_TOOL_SETTINGS, VISIBILITIES, type Project } from "../db/schema";
import { CAN, orgOperation, projectOperation } from "./operation";
import { SlugSchema } from "../projects/slugs";

/** A new project: its URL slug and display name (both checked here, so a form hears every problem at once). */
export const CreateProjectSchema = z.object({
  slug: z.string().trim().toLowerCase().min(1, "required").pipe(SlugSchema),
  name: z.string().trim().max(100, "must be at most 100 characters").optional(),
});

/** Project visibility. */
export const VisibilitySchema = z.object({ visibility: z.enum(VISIBILITIES) });

const projectTarget = (p: Project) => ({ type: "project", id: p.id });
type VisibilityChange = { project: Project; from: string };
type SettingsChange = { project: Project; changed: Record<string, unknown> };

export const createProjectOperation = orgOperation({
  name: "projects.create",
  summary: "Create a project in the organization (admin)",
  what: "create projects",
  input: CreateProjectSchema,
  permission: CAN.manageSettings,
  audit: { action: "project.created", target: (_, p: Project) => projectTarget(p), details: (_, p: Project) => ({ slug: p.slug }) },
  run: async (deps, access, i) => (await createProject(deps.db, access.org.id, i, deps.clock.now())),
});

/** Public = production answers without a token (docs/architecture.md: Public project); admins only. */
export const setVisibilityOperation = projectOperation({
  name: "projects.visibility",
  summary: "Make production public or private (admin)",
  what: "change a project's visibility",
  input: VisibilitySchema,
  permission: CAN.manageSettings,
  audit: { action: "project.visibility", target: (_, o: VisibilityChange) => projectTarget(o.project), details: (i, o: VisibilityChange) => ({ from: o.from, to: i.visibility }), when: (i, o: VisibilityChange) => o.from !== i.visibility },
  run: async (deps, access, i) => ({
    from: access.project.visibility,
    project: await setVisibility(deps, access.project.id, i.visibility, access.user.id, { recordEvent: false }),
  }),
});

/**
 * Tools that use secrets in production (what a public project exposes now) or in the draft (what the next
 * publish exposes), for the warning shown before a project is made public.
 */
export async function toolsUsingSecrets(deps: Deps, project: Project): Promise<string[]> {
  const names = new Set<string>();
  for (const t of (await listDraftTools(deps, project.id))) if (t.secrets.length) names.add(t.name);
  const live = project.productionVersionId ? (await getVersion(deps, project.productionVersionId)) : null;
  for (const t of live?.snapshot.tools ?? []) if (t.secrets?.length) names.add(t.name);
  return [...names].sort();
}

/** Any subset of the project settings. */
export const ProjectSettingsSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    storePayloads: z.boolean(),
    auditRetentionDays: z.coerce.number().int().min(1).max(3650),
    managementTools: z.enum(MANAGEMENT_TOOL_SETTINGS),
  })
  .partial();

/** The settings form's fields (checkboxes are absent when off) as a settings patch. */
export function settingsFromForm(fields: Record<string, string>) {
  return {
    name: fields.name,
    auditRetentionDays: fields.auditRetentionDays,
    storePayloads: fields.storePayloads === "on",
    managementTools: fields.managementTools,
  };
}

/**
 * Name, audit payload storage and retention, and where the management tools are offered (off | draft |
 * draft and production, docs/architecture.md: Roles and scopes). Changing that changes tool lists, so both
 * channels hear `list_changed`. The audit event lists the fields that changed.
 */
export const updateProjectSettings = projectOperation({
  name: "projects.settings",
  summary: "Change name, audit payload storage and retention, management tools (admin)",
  what: "change project settings",
  input: ProjectSettingsSchema,
  permission: CAN.manageSettings,
  audit: { action: "project.settings", target: (_, o: SettingsChange) => projectTarget(o.project), details: (_, o: SettingsChange) => o.changed, when: (_, o: SettingsChange) => Object.keys(o.changed).length > 0 },
  run: async (deps, access, patch) => {
    const before = access.project;
    const project = await updateProject(deps.db, before.id, patch, deps.clock.now());
    const changed = Object.fromEntries(Object.entries(patch).filter(([k, v]) => before[k as keyof typeof patch] !== v));
    if ("managementTools" in changed) {
      for (const channel of CHANNELS) deps.bus.emit("toolsChanged", { projectId: project.id, channel });
    }
    return { project, changed };
  },
});
