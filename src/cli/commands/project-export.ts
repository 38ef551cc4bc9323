/** `portico project export`: the project's draft (tools, prompts, instructions) as one manifest JSON. */
import { writeFileSync } from "node:fs";
import { exportManifest } from "../../projects/draft";
import { PROJECT_FLAG, projectFlag, withDeps, type Command } from "../command";

export const projectExportCommand: Command = {
  spec: {
    name: "project export",
    summary: "print (or write) the project's draft as a manifest",
    flags: {
      project: PROJECT_FLAG,
      out: { description: "write to this file instead of stdout", value: "FILE" },
    },
    details: "Secret values are never exported; the manifest lists secret names only.",
  },
  async run(ctx) {
    return withDeps(ctx, async (deps) => {
      const { org, project } = await projectFlag(ctx, deps);
      const manifest = await exportManifest(deps, project.id);
      const json = JSON.stringify(manifest, null, 2);
      const out = ctx.args.flags.out;
      if (!out) return { data: manifest, text: json };
      writeFileSync(out, json + "\n");
      return { data: { project: `${org.slug}/${project.slug}`, file: out, tools: manifest.tools.length, prompts: manifest.prompts.length }, text: `Wrote ${org.slug}/${project.slug} (${manifest.tools.length} tools, ${manifest.prompts.length} prompts) to ${out}.` };
    });
  },
};
