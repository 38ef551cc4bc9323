/**
 * The instructions hosts receive in `initialize`. They are not versioned: an edit
 * is live at once on both channels, so every reader sees the same text.
 */
import { z } from "zod";
import { setInstructions as saveInstructions } from "../projects/draft";
import { canReadDraft, needProductionRead } from "./access";
import { READS_ITS_CHANNEL } from "./content-access";
import { CAN, projectOperation, READ_ONLY } from "./operation";

/** The instructions text. */
export const InstructionsSchema = z.object({ instructions: z.string().max(100_000) });

export const getInstructions = projectOperation({
  name: "instructions.get",
  summary: "Read the project's instructions (sent to hosts in initialize, the same text on both channels)",
  what: "read the instructions",
  input: z.object({}),
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: (_deps, access) => {
    // A draft reader reads them as draft work; everyone else as what production serves (issue 11 #13).
    if (!canReadDraft(access)) needProductionRead(access, "read the instructions");
    return access.project.instructions;
  },
});

export const setInstructions = projectOperation({
  name: "instructions.set",
  summary: "Replace the project's instructions; they apply to new sessions on both channels at once",
  what: "edit the instructions",
  input: InstructionsSchema,
  permission: CAN.workOnDraft,
  audit: { action: "instructions.set", details: (i) => ({ length: i.instructions.length }) },
  run: (deps, access, i) => {
    saveInstructions(deps, access.project.id, i.instructions);
    return i.instructions;
  },
});
