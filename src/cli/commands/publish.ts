/**
 * `portico publish`: snapshot the draft into a new version and point production at it — the CLI face of
 * `publish.publish` (src/services/publish.ts). With `--as EMAIL` it acts as that user through the
 * operation (their role must allow publishing, the org audit log names them); without it, it is the
 * operator's publish on the data dir (whoever can run it there can read the database), recorded with no
 * actor and shown as the CLI in the history (docs/architecture.md: Service layer).
 */
import { publish } from "../../projects/publish";
import { MissingProductionSecretsError } from "../../projects/missing-secrets";
import { parseInput } from "../../services/input";
import { invoke } from "../../services/operation";
import { publishDraft, publishedJson } from "../../services/publish";
import { UsageError } from "../args";
import { lines, operatorAccess, PROJECT_FLAG, projectFlag, withDeps, type Command } from "../command";

export const publishCommand: Command = {
  spec: {
    name: "publish",
    summary: "publish the project's draft as a new production version",
    flags: {
      project: PROJECT_FLAG,
      note: { description: "a note for the version history", value: "TEXT" },
      as: { description: "email of the user publishing (needs admin or above; default: the operator, shown as the CLI)", value: "EMAIL" },
      confirm: { description: "publish even though some declared secrets have no production value (their calls fail until one is set)", type: "boolean" },
    },
    details:
      "Hosts connected to production get notifications/tools/list_changed, also when the server runs while you publish. " +
      "Values are never copied from the draft: while a declared secret has no production value the publish is refused, naming it, unless --confirm.",
  },
  async run(ctx) {
    return withDeps(ctx, async (deps) => {
      const { org, project } = await projectFlag(ctx, deps);
      const input = { note: ctx.args.flags.note, confirm: ctx.args.switches.confirm === true };
      let result;
      try {
        if (ctx.args.flags.as) {
          result = publishedJson(await invoke(publishDraft, deps, await operatorAccess(ctx, deps), input));
        } else {
          // The same input rule as every face (the note is trimmed), without a user to check or name.
          const { note } = parseInput(publishDraft.input, input);
          result = await publish(deps, project.id, null, note || undefined, { confirmMissingSecrets: input.confirm });
        }
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
