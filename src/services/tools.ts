/**
 * Draft tools and instructions, shared by the pages and the API: developers read and edit the draft
 * (DESIGN: Roles — `draft` and `project:write` start at developer); viewers, and keys without those
 * scopes, see the published version instead (issue 11 #13: "viewers see the production version on every
 * face"). Definitions are validated by the draft service (the manifest zod contract plus a JSON Schema compile).
 */
import { z } from "zod";
import type { Deps } from "../deps";
import type { Channel } from "../db/schema";
import {
  createDraftTool, deleteDraftTool, deletePrompt, diffManifests, exportManifest, getDraftTool, importManifest, listDraftTools, listPrompts, savePrompt,
  setInstructions, updateDraftTool,
} from "../projects/draft";
import { getVersion } from "../projects/publish";
import type { Manifest, PromptDefinition, ToolDefinition } from "../projects/manifest";
import { NotFoundError } from "../errors";
import { canReadDraft, needDraft, needProductionRead, type ProjectAccess } from "./access";
import { parseInput } from "./input";

/** The instructions text. */
export const InstructionsSchema = z.object({ instructions: z.string().max(100_000) });

/** How a draft tool compares with production. */
export type ToolStatus = "new" | "changed" | "published";

/** Which version a caller reads: the draft (developers), or what production serves (null: nothing published). */
export interface ToolsView {
  channel: Channel;
  published: boolean;
  tools: Array<ToolDefinition & { status: ToolStatus }>;
}

/** The manifest production serves, or null when nothing is published yet. */
function productionManifest(deps: Deps, access: ProjectAccess): Manifest | null {
  const id = access.project.productionVersionId;
  return id ? (getVersion(deps, id)?.snapshot ?? null) : null;
}

const NOTHING_PUBLISHED = "Nothing is published yet: only developers and above can see the unpublished draft.";

/**
 * The tools the caller may see: the draft with each tool's status against production for those who may
 * read the draft, the published version's tools (all "published") for everyone else (issue 11 #13).
 */
export function toolsViewOp(deps: Deps, access: ProjectAccess): ToolsView {
  const published = access.project.productionVersionId !== null;
  if (canReadDraft(access)) return { channel: "draft", published, tools: listToolsOp(deps, access) };
  needProductionRead(access, "list tools");
  const live = productionManifest(deps, access);
  return { channel: "production", published, tools: (live?.tools ?? []).map((t) => ({ ...t, status: "published" as const })) };
}

/** Draft tools with how each differs from what production serves (developers). */
export function listToolsOp(deps: Deps, access: ProjectAccess): Array<ToolDefinition & { status: ToolStatus }> {
  needDraft(access, "read the draft");
  const live = access.project.productionVersionId ? getVersion(deps, access.project.productionVersionId) : null;
  const draft = exportManifest(deps, access.project.id);
  const diff = diffManifests(live?.snapshot ?? null, draft);
  return listDraftTools(deps, access.project.id).map((t) => ({
    ...t,
    status: diff.tools.added.includes(t.name) ? "new" : diff.tools.changed.includes(t.name) ? "changed" : "published",
  }));
}

/** One tool: the draft's for those who may read the draft, otherwise the published one (issue 11 #13). */
export function getToolOp(deps: Deps, access: ProjectAccess, name: string): ToolDefinition {
  if (canReadDraft(access)) return getDraftTool(deps, access.project.id, name);
  needProductionRead(access, "read tools");
  const live = productionManifest(deps, access);
  if (!live) throw new NotFoundError(NOTHING_PUBLISHED);
  const tool = live.tools.find((t) => t.name === name);
  if (!tool) throw new NotFoundError(`No tool named "${name}" in the published version.`);
  return tool;
}

/** Adds a tool to the draft (developers). */
export function createToolOp(deps: Deps, access: ProjectAccess, input: unknown): ToolDefinition {
  needDraft(access, "edit the draft");
  return createDraftTool(deps, access.project.id, input);
}

/** Merges `patch` over a draft tool (developers). */
export function updateToolOp(deps: Deps, access: ProjectAccess, name: string, patch: Record<string, unknown>): ToolDefinition {
  needDraft(access, "edit the draft");
  return updateDraftTool(deps, access.project.id, name, patch);
}

/** Removes a tool from the draft (developers). */
export function deleteToolOp(deps: Deps, access: ProjectAccess, name: string): void {
  needDraft(access, "edit the draft");
  deleteDraftTool(deps, access.project.id, name);
}

/** Instructions go live at once on both channels (they are sent in `initialize`, not versioned). */
export function setInstructionsOp(deps: Deps, access: ProjectAccess, input: unknown): string {
  needDraft(access, "edit the instructions");
  const { instructions } = parseInput(InstructionsSchema, input);
  setInstructions(deps, access.project.id, instructions);
  return instructions;
}

/**
 * The draft as one manifest (secret names only) for those who may read the draft; for everyone else the
 * published version's manifest, or 404 when nothing is published (issue 11 #13).
 */
export function exportManifestOp(deps: Deps, access: ProjectAccess): Manifest {
  if (canReadDraft(access)) return exportManifest(deps, access.project.id);
  needProductionRead(access, "export the manifest");
  const live = productionManifest(deps, access);
  if (!live) throw new NotFoundError(NOTHING_PUBLISHED);
  // Instructions are not versioned: production serves the project's current text (see setInstructionsOp).
  return { ...live, instructions: access.project.instructions };
}

/** The instructions hosts receive in `initialize` (not versioned: the same text on both channels). */
export function instructionsOp(access: ProjectAccess): string {
  needProductionRead(access, "read the instructions");
  return access.project.instructions;
}

/** Replaces the draft from a manifest in one transaction; returns what changed. */
export function importManifestOp(deps: Deps, access: ProjectAccess, input: unknown) {
  needDraft(access, "edit the draft");
  return importManifest(deps, access.project.id, input);
}

/** The draft's prompts for those who may read the draft, otherwise the published version's (issue 11 #13). */
export function listPromptsOp(deps: Deps, access: ProjectAccess): PromptDefinition[] {
  if (canReadDraft(access)) return listPrompts(deps, access.project.id);
  needProductionRead(access, "list prompts");
  return productionManifest(deps, access)?.prompts ?? [];
}

/** Creates or replaces a prompt by name (developers). */
export function savePromptOp(deps: Deps, access: ProjectAccess, input: unknown): PromptDefinition {
  needDraft(access, "edit the draft");
  return savePrompt(deps, access.project.id, input);
}

/** Removes a prompt from the draft (developers). */
export function deletePromptOp(deps: Deps, access: ProjectAccess, name: string): void {
  needDraft(access, "edit the draft");
  deletePrompt(deps, access.project.id, name);
}
