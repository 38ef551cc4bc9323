/** `portico publish`: snapshot the draft into a new version and point production at it. */
import { publish } from "../../projects/publish";
import { MissingProductionSecretsError } from "../../projects/missing-secrets";
import { UsageError } from "../args";
import { lines, PROJECT_FLAG, projectFlag, userFlag, withDeps, type Command } from "../command";

export const publishCommand: Command = {
  spec: {
    name: "publish",
    summary: "publish the project's draft as a new production version",
    flags: {
      project: PROJECT_FLAG,
      note: { description: "a note for the version history", value: "TEXT" },
      as: { description: "email of the user recorded as author (default: none, shown as the CLI)", value: "EMAIL" },
      confirm: { description: "publish even though some declared secrets have no production value (their calls fail until one is set)", type: "boolean" },
    },
    details:
      "Hosts connected to production get notifications/tools/list_changed, also when the server runs while you publish. " +
      "Values are never copied from the draft: while a declared secret has no production value the publish is refused, naming it, unless --confirm.",
  },
  async run(ctx) {
    return withDeps(ctx, (deps) => {
      const { org, project } = projectFlag(ctx, deps);
      const author = ctx.args.flags.as ? userFlag(ctx, deps, "as") : null;
      const confirm = ctx.args.switches.confirm === true;
      let result;
      try {
        result = publish(deps, project.id, author?.id ?? null, ctx.args.flags.note, { confirmMissingSecrets: confirm });
      } catch (err) {
        // Exit 2 naming the flag, like every refused input (issue 11 #1: publishing never copies values).
        if (err instanceof MissingProductionSecretsError) throw new UsageError("confirm", err.message);
        throw err;
      }
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
