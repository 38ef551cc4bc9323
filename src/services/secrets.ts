/**
 * Tool secret values (docs/architecture.md: Secrets): write-only and scoped per channel, like deployment environments
 * (issue 11 #1). Draft values are set by developers and seen only by draft calls; production values are
 * set by admins and owners and seen only by published versions; publishing never copies values. Pages and
 * the API only ever learn which names have a value on which channel, never the value itself.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { CHANNELS, type Channel, type Role } from "../db/schema";
import { SecretNameSchema } from "../projects/manifest";
import { getVersion } from "../projects/publish";
import { ForbiddenError, NotFoundError } from "../errors";
import { need, needDraft, type ProjectAccess } from "./access";
import { parseInput } from "./input";
import { READS_ITS_CHANNEL, WRITES_A_CHANNEL } from "./content-access";
import { projectOperation, READ_ONLY } from "./operation";
import { readTool } from "./tools";

/** Which channel a value belongs to. Faces that take no channel write the draft (the least privileged one). */
export const SecretChannelSchema = z.enum(CHANNELS);

/** A secret value (write-only) and its channel (default: draft, as `portico project import --secrets`). */
export const SecretValueSchema = z.object({
  value: z.string().min(1, "a secret needs a value").max(10_000),
  channel: SecretChannelSchema.default("draft"),
});

/** The lowest role that may write each channel's values (docs/architecture.md: Roles — production secrets are `settings`). */
export const SECRET_WRITERS: Record<Channel, Role> = { draft: "developer", production: "admin" };

/**
 * Draft values are draft work (`draft` + `project:write` for a key); production values are `settings`
 * (docs/architecture.md: Roles and scopes — "production secrets → settings"), never from a draft-only key (issue 11 #2).
 */
function needWriter(access: ProjectAccess, channel: Channel, what: string): void {
  if (channel === "draft") return needDraft(access, `${what} draft secret values`);
  need(access, SECRET_WRITERS.production, `${what} production secret values`, ["settings"]);
  if (access.via.kind === "apikey" && access.via.channel === "draft") {
    throw new ForbiddenError(`This API key only works on the draft channel, so it cannot ${what} production secret values.`);
  }
}

/** The tool as production serves it, or null when it is not published. */
async function liveTool(deps: Deps, access: ProjectAccess, tool: string) {
  const id = access.project.productionVersionId;
  return (id ? (await getVersion(deps, id)) : null)?.snapshot.tools.find((t) => t.name === tool) ?? null;
}

/**
 * The names a channel's values may be saved for: the draft tool's for draft; for production also the
 * published tool's, so an admin can fill in production values before or after a publish.
 */
async function declaredNames(deps: Deps, access: ProjectAccess, tool: string, channel: Channel): Promise<Set<string>> {
  const live = channel === "production" ? (await liveTool(deps, access, tool)) : null;
  let draft: string[] = [];
  try {
    draft = (await readTool(deps, access, tool)).secrets;
  } catch (err) {
    if (!(err instanceof NotFoundError) || !live) throw err;
  }
  return new Set([...draft, ...(live?.secrets ?? [])]);
}

async function declared(deps: Deps, access: ProjectAccess, tool: string, name: string, channel: Channel): Promise<void> {
  parseInput(SecretNameSchema, name);
  if (!(await declaredNames(deps, access, tool, channel)).has(name)) {
    throw new NotFoundError(`The tool "${tool}" does not declare a secret named ${name}; add the name to the tool first.`);
  }
}

/** Per channel: which declared names have a value and which are missing one. */
export interface SecretStatus {
  /** The names the draft tool declares (what the next publish needs). */
  declared: string[];
  draft: { set: string[]; missing: string[] };
  production: { set: string[]; missing: string[] };
}

const ToolName = z.string().min(1, "name the tool").max(64);
const secretTarget = (i: { tool: string }) => ({ type: "tool", id: i.tool });
const secretDetails = (i: { tool: string; name: string; channel: Channel }) => ({ tool: i.tool, name: i.name, channel: i.channel });

export const secretStatus = projectOperation({
  name: "secrets.status",
  summary: "Which of a tool's declared secrets have a value and which are missing one, per channel (values are write-only and never returned)",
  what: "read tools",
  input: z.object({ tool: ToolName }),
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: async (deps, access, i): Promise<SecretStatus> => {
    const names = (await readTool(deps, access, i.tool)).secrets;
    const on = async (channel: Channel) => {
      const set = await deps.tools.secrets.listSecretNames(access.project.id, i.tool, channel);
      return { set, missing: names.filter((n) => !set.includes(n)) };
    };
    return { declared: names, draft: await on("draft"), production: await on("production") };
  },
});

/**
 * Saves a value for a secret the tool declares: draft needs developer, production admin (issue 11 #1).
 * The org audit log records who set which name on which channel, never the value.
 */
/** Production values change what published tools do: those are audited; draft values are a developer's working copy. */
const productionValue = (i: { channel: Channel }) => i.channel === "production";

export const setSecret = projectOperation({
  name: "secrets.set",
  summary: "Set a secret value the tool declares on one channel: `channel` draft (default; developer) or production (admin). Draft calls see only draft values, production calls only production values",
  what: "set secret values",
  input: SecretValueSchema.extend({ tool: ToolName, name: z.string().min(1) }),
  permission: WRITES_A_CHANNEL,
  audit: { action: "secret.set", target: secretTarget, details: secretDetails, when: productionValue },
  run: async (deps, access, i) => {
    needWriter(access, i.channel, "set");
    await declared(deps, access, i.tool, i.name, i.channel);
    await deps.tools.secrets.setSecret(access.project.id, i.tool, i.name, i.value, i.channel);
  },
});

/** Removes a saved secret value of one channel (same roles as setting it). */
export const deleteSecret = projectOperation({
  name: "secrets.delete",
  summary: "Remove a secret value of one channel: draft (default; developer) or production (admin)",
  what: "remove secret values",
  input: z.object({ tool: ToolName, name: z.string().min(1), channel: SecretChannelSchema.default("draft") }),
  permission: WRITES_A_CHANNEL,
  audit: { action: "secret.delete", target: secretTarget, details: secretDetails, when: productionValue },
  run: async (deps, access, i) => {
    needWriter(access, i.channel, "remove");
    if (!(await deps.tools.secrets.deleteSecret(access.project.id, i.tool, i.name, i.channel))) throw new NotFoundError(`No ${i.channel} value is saved for ${i.name}.`);
  },
});

/** One value typed into the editor: `secret.draft.NAME` or `secret.production.NAME` (empty = keep). */
export interface FormSecret {
  channel: Channel;
  name: string;
  value: string;
}

/** The form's secret fields that carry a value, for names the tool declares. */
export function secretsFromForm(fields: Record<string, string>, names: readonly string[]): FormSecret[] {
  return CHANNELS.flatMap((channel) =>
    names.flatMap((name) => {
      const value = fields[`secret.${channel}.${name}`];
      return value ? [{ channel, name, value }] : [];
    }),
  );
}

/** Refuses a form that carries values for a channel the caller may not write, before anything is saved. */
export function checkFormSecrets(access: ProjectAccess, secrets: readonly FormSecret[]): void {
  for (const s of secrets) needWriter(access, s.channel, "set");
}
