/** `portico project import`: replace the project's draft with a manifest file, in one transaction. */
import { readFileSync } from "node:fs";
import { importManifest, type ManifestDiff } from "../../projects/draft";
import { ValidationError } from "../../errors";
import { UsageError } from "../args";
import { flag, lines, PROJECT_FLAG, projectFlag, withDeps, type CommandContext, type Command } from "../command";

function readJson(ctx: CommandContext, name: string): unknown {
  const path = flag(ctx, name);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(name, `cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(name, `${path} is not valid JSON`);
  }
}

const listOf = (label: string, names: string[]) => names.length > 0 && `  ${label}: ${names.join(", ")}`;

function describe(diff: ManifestDiff): string {
  const t = diff.tools;
  const p = diff.prompts;
  const rows = [
    listOf("tools added", t.added), listOf("tools changed", t.changed), listOf("tools removed", t.removed),
    listOf("prompts added", p.added), listOf("prompts changed", p.changed), listOf("prompts removed", p.removed),
    diff.instructionsChanged && "  instructions changed",
  ];
  return rows.some(Boolean) ? lines(...rows) : "  no changes";
}

export const projectImportCommand: Command = {
  spec: {
    name: "project import",
    summary: "replace the project's draft with a manifest file",
    flags: {
      project: PROJECT_FLAG,
      file: { description: "manifest JSON (see README: Project manifest)", value: "FILE", required: true },
    },
    details: "Only the draft changes; publish to put it in production: portico publish --project ORG/PROJECT",
  },
  async run(ctx) {
    const manifest = readJson(ctx, "file");
    return withDeps(ctx, (deps) => {
      const { org, project } = projectFlag(ctx, deps);
      let diff: ManifestDiff;
      try {
        diff = importManifest(deps, project.id, manifest);
      } catch (err) {
        if (err instanceof ValidationError) throw new UsageError("file", `not a valid manifest: ${err.message}`);
        throw err;
      }
      return { data: { project: `${org.slug}/${project.slug}`, diff }, text: lines(`Imported into the draft of ${org.slug}/${project.slug}:`, describe(diff)) };
    });
  },
};
