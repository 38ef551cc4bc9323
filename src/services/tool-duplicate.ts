/**
 * Duplicating a draft tool: the worked example of one operation with four faces (docs/architecture.md:
 * Service layer — page button, `POST …/tools/{name}/duplicate`, `portico_duplicate_tool`, `portico tool
 * duplicate`). The copy declares the same secret names, but no values come along: values belong to a
 * tool and a channel, and copying them would let a draft copy read what only its original was given.
 */
import { z } from "zod";
import { createDraftTool, getDraftTool } from "../projects/draft";
import { ToolNameSchema } from "../projects/manifest";
import { CAN, projectOperation } from "./operation";

export const DuplicateToolSchema = z.object({
  name: z.string().min(1, "name the tool to copy").max(64),
  newName: ToolNameSchema,
});

export const duplicateTool = projectOperation({
  name: "tools.duplicate",
  summary: "Copy a draft tool under a new name (secret names come along, their values do not)",
  what: "duplicate tools",
  input: DuplicateToolSchema,
  permission: CAN.workOnDraft,
  audit: { action: "tool.duplicated", target: (i) => ({ type: "tool", id: i.newName }), details: (i) => ({ from: i.name }) },
  run: async (deps, access, i) => {
    const source = await getDraftTool(deps, access.project.id, i.name);
    return await createDraftTool(deps, access.project.id, { ...source, name: i.newName, title: source.title ? `${source.title} (copy)` : undefined });
  },
});
