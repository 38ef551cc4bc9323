/**
 * The instructions hosts receive in `initialize`. They are versioned like tools (issue 16 #4): an edit
 * changes the draft at once, production serves the published version's text.
 */
import { z } from "zod";
import { setInstructions as saveInstructions } from "../projects/draft";
import { canReadDraft, needProductionRead } from "./access";
import { productionManifest, READS_ITS_CHANNEL } from "./content-access";
import { CAN, projectOperation, READ_ONLY } from "./operation";

/** The instructions text. */
export const InstructionsSchema = z.object({ instructions: z.string().max(100_000) });

export const getInstructions = projectOperation({
  name: "instructions.get",
  summary: "Read the project's instructions (sent to hosts in initialize): the draft's for developers, the published version's for others",
  what: "read the instructions",
  input: z.object({}),
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: async (deps, access) => {
    // A draft reader reads them as draft work; everyone else as what production serves (issue 11 #13).
    if (canReadDraft(access)) return access.project.instructions;
    needProductionRead(access, "read the instructions");
    return (await productionManifest(deps, access))?.instructions ?? "";
  },
});

export const setInstructions = projectOperation({
  name: "instructions.set",
  summary: "Replace the draft's instructions; production gets them with the next publish",
  what: "edit the instructions",
  input: InstructionsSchema,
  permission: CAN.workOnDraft,
  audit: { action: "instructions.set", details: (i) => ({ length: i.instructions.length }) },
  run: async (deps, access, i) => {
    await saveInstructions(deps, access.project.id, i.instructions);
    return i.instructions;
  },
});
