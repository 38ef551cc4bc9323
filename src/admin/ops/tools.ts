/**
 * Draft tools and instructions, shared by the pages and the API: viewers read, developers edit the draft
 * (DESIGN: Roles — `project:write` starts at developer). Definitions are validated by the draft service
 * (the manifest zod contract plus a JSON Schema compile).
 */
import { z } from "zod";
import type { Deps } from "../../deps";
import {
  createDraftTool, deleteDraftTool, deletePrompt, diffManifests, exportManifest, getDraftTool, importManifest, listDraftTools, listPrompts, savePrompt,
  setInstructions, updateDraftTool,
} from "../../projects/draft";
import { getVersion } from "../../projects/publish";
import type { PromptDefinition, ToolDefinition } from "../../projects/manifest";
import { need, type ProjectAccess } from "../access";
import { parseInput } from "../context";

/** The instructions text. */
export const InstructionsSchema = z.object({ instructions: z.string().max(100_000) });

/** How a draft tool compares with production. */
export type ToolStatus = "new" | "changed" | "published";

/** Draft tools with how each differs from what production serves. */
export function listToolsOp(deps: Deps, access: ProjectAccess): Array<ToolDefinition & { status: ToolStatus }> {
  const live = access.project.productionVersionId ? getVersion(deps, access.project.productionVersionId) : null;
  const draft = exportManifest(deps, access.project.id);
  const diff = diffManifests(live?.snapshot ?? null, draft);
  return listDraftTools(deps, access.project.id).map((t) => ({
    ...t,
    status: diff.tools.added.includes(t.name) ? "new" : diff.tools.changed.includes(t.name) ? "changed" : "published",
  }));
}

/** One draft tool (any member may read it). */
export function getToolOp(deps: Deps, access: ProjectAccess, name: string): ToolDefinition {
  return getDraftTool(deps, access.project.id, name);
}

/** Adds a tool to the draft (developers). */
export function createToolOp(deps: Deps, access: ProjectAccess, input: unknown): ToolDefinition {
  need(access, "developer", "edit the draft");
  return createDraftTool(deps, access.project.id, input);
}

/** Merges `patch` over a draft tool (developers). */
export function updateToolOp(deps: Deps, access: ProjectAccess, name: string, patch: Record<string, unknown>): ToolDefinition {
  need(access, "developer", "edit the draft");
  return updateDraftTool(deps, access.project.id, name, patch);
}

/** Removes a tool from the draft (developers). */
export function deleteToolOp(deps: Deps, access: ProjectAccess, name: string): void {
  need(access, "developer", "edit the draft");
  deleteDraftTool(deps, access.project.id, name);
}

/** Instructions go live at once on both channels (they are sent in `initialize`, not versioned). */
export function setInstructionsOp(deps: Deps, access: ProjectAccess, input: unknown): string {
  need(access, "developer", "edit the instructions");
  const { instructions } = parseInput(InstructionsSchema, input);
  setInstructions(deps, access.project.id, instructions);
  return instructions;
}

/** The draft as one manifest (secret names only). */
export function exportManifestOp(deps: Deps, access: ProjectAccess) {
  return exportManifest(deps, access.project.id);
}

/** Replaces the draft from a manifest in one transaction; returns what changed. */
export function importManifestOp(deps: Deps, access: ProjectAccess, input: unknown) {
  need(access, "developer", "edit the draft");
  return importManifest(deps, access.project.id, input);
}

/** The draft's prompts. */
export function listPromptsOp(deps: Deps, access: ProjectAccess): PromptDefinition[] {
  return listPrompts(deps, access.project.id);
}

/** Creates or replaces a prompt by name (developers). */
export function savePromptOp(deps: Deps, access: ProjectAccess, input: unknown): PromptDefinition {
  need(access, "developer", "edit the draft");
  return savePrompt(deps, access.project.id, input);
}

/** Removes a prompt from the draft (developers). */
export function deletePromptOp(deps: Deps, access: ProjectAccess, name: string): void {
  need(access, "developer", "edit the draft");
  deletePrompt(deps, access.project.id, name);
}
