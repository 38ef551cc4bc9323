/**
 * `portico project import`: replace the project's draft with a manifest file, in one transaction, and
 * optionally store secret values for one channel (issue 11 #1: draft unless `--channel production`).
 *
 * The CLI has no signed-in actor: it works on the data dir directly, and whoever can run it there can
 * read the database and the secret key file. So `--channel production` is an operator action (the same
 * trust as `secrets rotate-key`), not a role check; it is recorded in the org audit log (names only).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Deps } from "../../deps";
import { recordOrgEvent } from "../../audit/org-audit";
import { CHANNELS, type Channel } from "../../domain";
import { importManifest, listDraftTools, type ManifestDiff } from "../../projects/draft";
import { ManifestSchema, SecretNameSchema } from "../../projects/manifest";
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

const SecretValuesSchema = z.record(SecretNameSchema, z.string().min(1));

/**
 * Secret values from `--secrets FILE` (docs/architecture.md: Project manifest — values never live in the manifest).
 * Checked before anything is written: a name no tool in the manifest declares is a mistake.
 */
function readSecrets(ctx: CommandContext, manifest: unknown): Record<string, string> {
  if (ctx.args.flags.secrets === undefined) return {};
  const parsed = SecretValuesSchema.safeParse(readJson(ctx, "secrets"));
  if (!parsed.success) throw new UsageError("secrets", "must be a JSON object of NAME → non-empty string");
  const declared = new Set(ManifestSchema.safeParse(manifest).data?.tools.flatMap((t) => t.secrets) ?? []);
  const unknown = Object.keys(parsed.data).filter((name) => !declared.has(name));
  if (unknown.length > 0) throw new UsageError("secrets", `no tool in the manifest declares ${unknown.join(", ")}`);
  return parsed.data;
}

/** `--channel`: which channel's values `--secrets` writes; draft unless said otherwise. */
function channelOf(ctx: CommandContext): Channel {
  const value = ctx.args.flags.channel ?? "draft";
  if (!(CHANNELS as readonly string[]).includes(value)) throw new UsageError("channel", `must be ${CHANNELS.join(" or ")}`);
  if (value !== "draft" && ctx.args.flags.secrets === undefined) throw new UsageError("channel", "only applies with --secrets");
  return value as Channel;
}

/** Stores each value on `channel` for every draft tool that declares that secret name; returns `tool.NAME` entries. */
async function saveSecrets(deps: Deps, projectId: string, channel: Channel, values: Record<string, string>): Promise<string[]> {
  const saved: string[] = [];
  for (const tool of (await listDraftTools(deps, projectId))) {
    for (const name of tool.secrets) {
      const value = values[name];
      if (value === undefined) continue;
      await deps.tools.secrets.setSecret(projectId, tool.name, name, value, channel);
      saved.push(`${tool.name}.${name}`);
    }
  }
  return saved;
}

/** Which declared names still have no value on `channel`, as `tool.NAME`. */
async function stillMissing(deps: Deps, projectId: string, channel: Channel): Promise<string[]> {
  const perTool = await Promise.all((await listDraftTools(deps, projectId)).map(async (tool) => {
    const set = await deps.tools.secrets.listSecretNames(projectId, tool.name, channel);
    return tool.secrets.filter((n) => !set.includes(n)).map((n) => `${tool.name}.${n}`);
  }));
  return perTool.flat();
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
      secrets: { description: "JSON object of secret name → value, for the tools that declare those names", value: "FILE" },
      channel: { description: "which channel's values --secrets writes: draft (default) or production (an operator action)", value: "CHANNEL" },
    },
    details:
      "Only the draft changes; publish to put it in production: portico publish --project ORG/PROJECT\n" +
      "Secret values are per channel: draft calls see only draft values, production calls only production values, and publishing never copies them.",
  },
  async run(ctx) {
    const manifest = readJson(ctx, "file");
    const values = readSecrets(ctx, manifest);
    const channel = channelOf(ctx);
    return withDeps(ctx, async (deps) => {
      const { org, project } = await projectFlag(ctx, deps);
      let diff: ManifestDiff;
      try {
        diff = await importManifest(deps, project.id, manifest);
      } catch (err) {
        if (err instanceof ValidationError) throw new UsageError("file", `not a valid manifest: ${err.message}`);
        throw err;
      }
      const saved = await saveSecrets(deps, project.id, channel, values);
      if (channel === "production" && saved.length > 0) {
        await recordOrgEvent(deps.db, {
                    orgId: org.id, actorId: null, action: "secret.set", targetType: "project", targetId: project.id, projectId: project.id,
                    details: { channel, secrets: saved, via: "cli" }, time: deps.clock.now(),
                  });
      }
      const missing = { draft: await stillMissing(deps, project.id, "draft"), production: await stillMissing(deps, project.id, "production") };
      return {
        data: { project: `${org.slug}/${project.slug}`, diff, secretsChannel: channel, secretsSaved: saved, secretsMissing: missing },
        text: lines(
          `Imported into the draft of ${org.slug}/${project.slug}:`,
          describe(diff),
          saved.length > 0 && `  ${channel} secrets saved: ${saved.join(", ")}`,
          missing.draft.length > 0 && `  draft secrets missing: ${missing.draft.join(", ")}`,
          missing.production.length > 0 && `  production secrets missing: ${missing.production.join(", ")} (publish asks to confirm)`,
        ),
      };
    });
  },
};
