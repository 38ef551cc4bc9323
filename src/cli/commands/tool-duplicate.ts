/** `portico tool duplicate`: the CLI face of the `tools.duplicate` operation (src/services/tool-duplicate.ts). */
import { invoke } from "../../services/operation";
import { duplicateTool } from "../../services/tool-duplicate";
import { operatorAccess, PROJECT_FLAG, withDeps, type Command } from "../command";

export const toolDuplicateCommand: Command = {
  spec: {
    name: "tool duplicate",
    summary: duplicateTool.summary.charAt(0).toLowerCase() + duplicateTool.summary.slice(1),
    flags: {
      project: PROJECT_FLAG,
      tool: { description: "the draft tool to copy", value: "NAME", required: true },
      "new-name": { description: "the copy's name", value: "NAME", required: true },
      as: { description: "email of the user doing it (needs developer or above)", value: "EMAIL", required: true },
    },
  },
  async run(ctx) {
    return withDeps(ctx, async (deps) => {
      const copy = await invoke(duplicateTool, deps, await operatorAccess(ctx, deps), { name: ctx.args.flags.tool, newName: ctx.args.flags["new-name"] });
      return { data: { tool: copy }, text: `Copied ${ctx.args.flags.tool} to ${copy.name} in the draft of ${ctx.args.flags.project}.` };
    });
  },
};
