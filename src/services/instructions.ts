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

/** The saved text and the draft's text before the save (the access's project row, read with the request). */
export interface SavedInstructions {
  instructions: string;
  before: string;
}

export const setInstructions = projectOperation({
  name: "instructions.set",
  summary: "Replace the draft's instructions; production gets them with the next publish",
  what: "edit the instructions",
  input: InstructionsSchema,
  permission: CAN.workOnDraft,
  // A save that leaves the text as it was is no edit (issue 16 #6: the org log records edits); the event
  // says how long the text was and is.
  audit: {
    action: "instructions.set",
    details: (i, o: SavedInstructions) => ({ length: i.instructions.length, before: o.before.length }),
    when: (i, o: SavedInstructions) => o.before !== i.instructions,
  },
  run: async (deps, access, i): Promise<SavedInstructions> => {
    const before = access.project.instructions;
    await saveInstructions(deps, access.project.id, i.instructions);
    return { instructions: i.instructions, before };
  },
});
