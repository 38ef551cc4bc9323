/** Prompts as operations: the draft's for developers, the published version's for everyone else. */
import { z } from "zod";
import { deletePrompt, listPrompts as listDraftPrompts, savePrompt as saveDraftPrompt } from "../projects/draft";
import { PromptDefinitionSchema, type PromptDefinition } from "../projects/manifest";
import { canReadDraft, needProductionRead } from "./access";
import { productionManifest, READS_ITS_CHANNEL } from "./content-access";
import { CAN, projectOperation, READ_ONLY } from "./operation";

export const listPrompts = projectOperation({
  name: "prompts.list",
  summary: "List prompts: the draft's (developer), else the published version's",
  what: "list prompts",
  input: z.object({}),
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: async (deps, access): Promise<PromptDefinition[]> => {
    if (canReadDraft(access)) return await listDraftPrompts(deps, access.project.id);
    needProductionRead(access, "list prompts");
    return (await productionManifest(deps, access))?.prompts ?? [];
  },
});

export const savePrompt = projectOperation({
  name: "prompts.save",
  summary: "Create or replace a draft prompt by name (developer)",
  what: "edit the draft",
  input: PromptDefinitionSchema,
  permission: CAN.workOnDraft,
  audit: { action: "prompt.saved", target: (i) => ({ type: "prompt", id: i.name }) },
  run: async (deps, access, i) => (await saveDraftPrompt(deps, access.project.id, i)),
});

export const removePrompt = projectOperation({
  name: "prompts.delete",
  summary: "Delete a prompt from the draft (developer)",
  what: "edit the draft",
  input: z.object({ name: z.string().min(1, "name the prompt").max(64) }),
  permission: CAN.workOnDraft,
  audit: { action: "prompt.deleted", target: (i) => ({ type: "prompt", id: i.name }) },
  run: async (deps, access, i) => (await deletePrompt(deps, access.project.id, i.name)),
});
