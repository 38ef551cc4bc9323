/**
 * Draft tools as operations (docs/architecture.md: Service layer): developers read and edit the draft
 * (docs/architecture.md: Roles — `draft` and `project:write` start at developer); viewers, and keys without those
 * scopes, see the published version instead (issue 11 #13: "viewers see the production version on every
 * face"). Definitions are validated by the draft service (the manifest zod contract plus a JSON Schema
 * compile), so the inputs here only carry them.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import type { Channel } from "../db/schema";
import { createDraftTool, deleteDraftTool, diffManifests, exportManifest, getDraftTool, listDraftTools, updateDraftTool } from "../projects/draft";
import { getVersion } from "../projects/publish";
import type { ToolDefinition } from "../projects/manifest";
import { changedParts } from "../projects/manifest-diff";
import { NotFoundError } from "../errors";
import { canReadDraft, needProductionRead, type ProjectAccess } from "./access";
import { NOTHING_PUBLISHED, productionManifest, READS_ITS_CHANNEL } from "./content-access";
import { CAN, projectOperation, READ_ONLY } from "./operation";

/** How a draft tool compares with production. */
export type ToolStatus = "new" | "changed" | "published";

/** Which version a caller reads: the draft (developers), or what production serves (`published` false: nothing yet). */
export interface ToolsView {
  channel: Channel;
  published: boolean;
  tools: Array<ToolDefinition & { status: ToolStatus }>;
}

const ToolNameInput = z.string().min(1, "name the tool").max(64).describe("Tool name");
const ToolNameOnly = z.object({ name: ToolNameInput });
const toolTarget = (name: string) => ({ type: "tool", id: name });

/** Draft tools with how each differs from what production serves. */
async function draftWithStatus(deps: Deps, access: ProjectAccess): Promise<Array<ToolDefinition & { status: ToolStatus }>> {
  const live = access.project.productionVersionId ? (await getVersion(deps, access.project.productionVersionId)) : null;
  const diff = diffManifests(live?.snapshot ?? null, await exportManifest(deps, access.project.id));
  return (await listDraftTools(deps, access.project.id)).map((t) => ({
    ...t,
    status: diff.tools.added.includes(t.name) ? "new" : diff.tools.changed.includes(t.name) ? "changed" : "published",
  }));
}

export const listTools = projectOperation({
  name: "tools.list",
  summary: "List tools: the draft's with their status against production (developer), else the published version's",
  what: "list tools",
  input: z.object({}),
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: async (deps, access): Promise<ToolsView> => {
    const published = access.project.productionVersionId !== null;
    if (canReadDraft(access)) return { channel: "draft", published, tools: await draftWithStatus(deps, access) };
    needProductionRead(access, "list tools");
    const live = await productionManifest(deps, access);
    return { channel: "production", published, tools: (live?.tools ?? []).map((t) => ({ ...t, status: "published" as const })) };
  },
});

/** One tool as the caller may see it: the draft's, else the published one (issue 11 #13). */
export async function readTool(deps: Deps, access: ProjectAccess, name: string): Promise<ToolDefinition> {
  if (canReadDraft(access)) return await getDraftTool(deps, access.project.id, name);
  needProductionRead(access, "read tools");
  const live = await productionManifest(deps, access);
  if (!live) throw new NotFoundError(NOTHING_PUBLISHED);
  const tool = live.tools.find((t) => t.name === name);
  if (!tool) throw new NotFoundError(`No tool named "${name}" in the published version.`);
  return tool;
}

export const getTool = projectOperation({
  name: "tools.get",
  summary: "One tool's full definition: the draft's (developer), else the published version's (secret names only, never values)",
  what: "read tools",
  input: ToolNameOnly,
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: async (deps, access, i) => (await readTool(deps, access, i.name)),
});

export const createTool = projectOperation({
  name: "tools.create",
  summary: "Create a draft tool from a manifest tool definition; it goes live on the draft channel at once, publish to reach production",
  what: "edit the draft",
  input: z.object({
    tool: z.record(z.string(), z.unknown()).describe("A tool definition as in the project manifest (name, kind, description, inputSchema, and html | script | url)."),
  }),
  permission: CAN.workOnDraft,
  audit: { action: "tool.created", target: (_, o: ToolDefinition) => toolTarget(o.name), details: (_, o: ToolDefinition) => ({ kind: o.kind }) },
  run: async (deps, access, i) => (await createDraftTool(deps, access.project.id, i.tool)),
});

/** Where `tools.update` tells its audit event which parts of the definition changed. */
const CHANGED = Symbol("changed parts");
type UpdatedTool = ToolDefinition & { [CHANGED]?: string[] };

export const updateTool = projectOperation({
  name: "tools.update",
  summary: "Update a draft tool: the given fields are merged over the current definition (a published tool keeps its name)",
  what: "edit the draft",
  input: z.object({
    name: ToolNameInput,
    changes: z.record(z.string(), z.unknown()).describe("Fields to change; a published tool keeps its name."),
  }),
  permission: CAN.workOnDraft,
  // The org log records the parts that changed (issue 16 #6), not every field the form posted (a page
  // save sends them all), and a save that changed nothing is no edit.
  audit: {
    action: "tool.updated",
    target: (i) => toolTarget(i.name),
    details: (i, o: UpdatedTool) => ({ fields: o[CHANGED] ?? Object.keys(i.changes), ...(o.name !== i.name ? { renamedTo: o.name } : {}) }),
    when: (i, o: UpdatedTool) => o.name !== i.name || (o[CHANGED]?.length ?? 1) > 0,
  },
  run: async (deps, access, i): Promise<UpdatedTool> => {
    const before = await getDraftTool(deps, access.project.id, i.name);
    const after = await updateDraftTool(deps, access.project.id, i.name, i.changes);
    // A symbol key: every face returns the definition as it was, JSON never sees it.
    return Object.assign(after, { [CHANGED]: changedParts(before, after) });
  },
});

export const deleteTool = projectOperation({
  name: "tools.delete",
  summary: "Delete a tool from the draft (production keeps it until the next publish)",
  what: "edit the draft",
  input: ToolNameOnly,
  permission: CAN.workOnDraft,
  audit: { action: "tool.deleted", target: (i) => toolTarget(i.name) },
  run: async (deps, access, i) => {
    await deleteDraftTool(deps, access.project.id, i.name);
    return { deleted: i.name };
  },
});
