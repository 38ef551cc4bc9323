/**
 * Tool secret values (DESIGN: Secrets): write-only and scoped per channel, like deployment environments
 * (issue 11 #1). Draft values are set by developers and seen only by draft calls; production values are
 * set by admins and owners and seen only by published versions; publishing never copies values. Pages and
 * the API only ever learn which names have a value on which channel, never the value itself.
 */
import { z } from "zod";
import { recordOrgEvent } from "../audit/org-audit";
import type { Deps } from "../deps";
import { CHANNELS, type Channel, type Role } from "../db/schema";
import { SecretNameSchema } from "../projects/manifest";
import { getVersion } from "../projects/publish";
import { ForbiddenError, NotFoundError } from "../errors";
import { need, needDraft, type ProjectAccess } from "./access";
import { parseInput } from "./input";
import { getToolOp } from "./tools";

/** Which channel a value belongs to. Faces that take no channel write the draft (the least privileged one). */
export const SecretChannelSchema = z.enum(CHANNELS);

/** A secret value (write-only) and its channel (default: draft, as `portico project import --secrets`). */
export const SecretValueSchema = z.object({
  value: z.string().min(1, "a secret needs a value").max(10_000),
  channel: SecretChannelSchema.default("draft"),
});

/** The lowest role that may write each channel's values (DESIGN: Roles — production secrets are `settings`). */
export const SECRET_WRITERS: Record<Channel, Role> = { draft: "developer", production: "admin" };

/**
 * Draft values are draft work (`draft` + `project:write` for a key); production values are `settings`
 * (DESIGN: Roles and scopes — "production secrets → settings"), never from a draft-only key (issue 11 #2).
 */
function needWriter(access: ProjectAccess, channel: Channel, what: string): void {
  if (channel === "draft") return needDraft(access, `${what} draft secret values`);
  need(access, SECRET_WRITERS.production, `${what} production secret values`, ["settings"]);
  if (access.via.kind === "apikey" && access.via.channel === "draft") {
    throw new ForbiddenError(`This API key only works on the draft channel, so it cannot ${what} production secret values.`);
  }
}

/** The tool as production serves it, or null when it is not published. */
function liveTool(deps: Deps, access: ProjectAccess, tool: string) {
  const id = access.project.productionVersionId;
  return (id ? getVersion(deps, id) : null)?.snapshot.tools.find((t) => t.name === tool) ?? null;
}

/**
 * The names a channel's values may be saved for: the draft tool's for draft; for production also the
 * published tool's, so an admin can fill in production values before or after a publish.
 */
function declaredNames(deps: Deps, access: ProjectAccess, tool: string, channel: Channel): Set<string> {
  const live = channel === "production" ? liveTool(deps, access, tool) : null;
  let draft: string[] = [];
  try {
    draft = getToolOp(deps, access, tool).secrets;
  } catch (err) {
    if (!(err instanceof NotFoundError) || !live) throw err;
  }
  return new Set([...draft, ...(live?.secrets ?? [])]);
}

function declared(deps: Deps, access: ProjectAccess, tool: string, name: string, channel: Channel): void {
  parseInput(SecretNameSchema, name);
  if (!declaredNames(deps, access, tool, channel).has(name)) {
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

/** Which of the tool's declared secrets have a value on each channel (names only, any member may read). */
export function secretStatusOp(deps: Deps, access: ProjectAccess, tool: string): SecretStatus {
  const names = getToolOp(deps, access, tool).secrets;
  const on = (channel: Channel) => {
    const set = deps.tools.secrets.listSecretNames(access.project.id, tool, channel);
    return { set, missing: names.filter((n) => !set.includes(n)) };
  };
  return { declared: names, draft: on("draft"), production: on("production") };
}

/** Production values change what published tools do: the org audit log records who set which name (never the value). */
function auditProduction(deps: Deps, access: ProjectAccess, action: "secret.set" | "secret.delete", tool: string, name: string): void {
  recordOrgEvent(deps.db, {
    orgId: access.org.id, actorId: access.user.id, action, targetType: "tool", targetId: tool, projectId: access.project.id,
    details: { tool, name, channel: "production" },
  });
}

/** Saves a value for a secret the tool declares: draft needs developer, production admin (issue 11 #1). */
export function setSecretOp(deps: Deps, access: ProjectAccess, tool: string, name: string, input: unknown): void {
  const { value, channel } = parseInput(SecretValueSchema, input);
  needWriter(access, channel, "set");
  declared(deps, access, tool, name, channel);
  deps.tools.secrets.setSecret(access.project.id, tool, name, value, channel);
  if (channel === "production") auditProduction(deps, access, "secret.set", tool, name);
}

/** Removes a saved secret value of one channel (same roles as setting it). */
export function deleteSecretOp(deps: Deps, access: ProjectAccess, tool: string, name: string, channelInput: unknown): void {
  const channel = parseInput(SecretChannelSchema, channelInput ?? "draft");
  needWriter(access, channel, "remove");
  if (!deps.tools.secrets.deleteSecret(access.project.id, tool, name, channel)) throw new NotFoundError(`No ${channel} value is saved for ${name}.`);
  if (channel === "production") auditProduction(deps, access, "secret.delete", tool, name);
}

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
