/** `portico publish`: snapshot the draft into a new version and point production at it. */
import { publish } from "../../projects/publish";
import { lines, PROJECT_FLAG, projectFlag, userFlag, withDeps, type Command } from "../command";

export const publishCommand: Command = {
  spec: {
    name: "publish",
    summary: "publish the project's draft as a new production version",
    flags: {
      project: PROJECT_FLAG,
      note: { description: "a note for the version history", value: "TEXT" },
      as: { description: "email of the user recorded as author (default: none, shown as the CLI)", value: "EMAIL" },
    },
    details: "Hosts connected to production get notifications/tools/list_changed, also when the server runs while you publish.",
  },
  async run(ctx) {
    return withDeps(ctx, (deps) => {
      const { org, project } = projectFlag(ctx, deps);
      const author = ctx.args.flags.as ? userFlag(ctx, deps, "as") : null;
      const result = publish(deps, project.id, author?.id ?? null, ctx.args.flags.note);
      const t = result.diff.tools;
      return {
        data: { project: `${org.slug}/${project.slug}`, version: result.number, versionId: result.versionId, diff: result.diff },
        text: lines(
          `Published ${org.slug}/${project.slug} version ${result.number}.`,
          `  tools added ${t.added.length}, changed ${t.changed.length}, removed ${t.removed.length}`,
        ),
      };
    });
  },
};
