/**
 * API key operations (docs/architecture.md: Service layer): members may list a project's keys, admins
 * create and revoke them; an API key needs `settings` for any of them (issue 11 #2 maps keys onto the
 * scope table). The create event is declared here once and recorded by `invoke` — or, for the CLI's
 * operator command, by `recordAudit` with the same declaration.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { CHANNELS, type Project, type User } from "../db/schema";
import { MANAGEMENT_SCOPES, SCOPES, type Scope } from "../auth/scopes";
import { createApiKey, listApiKeys, revokeApiKey } from "../apikeys/keys";
import { ConflictError } from "../errors";
import { CAN, projectOperation, READ_ONLY, recordAudit } from "./operation";
import { userEmails } from "./org-events";

const DAY_MS = 86_400_000;

/** The create-key form and API body. */
export const CreateKeySchema = z.object({
  name: z.string().trim().min(1, "give the key a name").max(100),
  channel: z.preprocess((v) => (v === "" || v === "any" ? undefined : v), z.enum(CHANNELS).optional()),
  /** Days until it expires; empty = never. */
  expiresInDays: z.preprocess((v) => (v === "" || v === "never" ? undefined : v), z.coerce.number().int().min(1).max(3650).optional()),
  /**
   * Scopes (a list, or one space-separated string as in OAuth); empty = MCP use only (`project:read
   * tools:call`, plus `draft` for a draft-only key). Each must be allowed by your role (issue 11 #2).
   */
  scopes: z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.trim().split(/\s+/)) : v),
    z.array(z.enum(SCOPES)).min(1, "choose at least one scope").optional(),
  ),
});

/** A new key: the secret (shown once) and what the audit event names. */
export interface CreatedKey {
  id: string;
  key: string;
  name: string;
  channel: string | null;
  scopes: Scope[];
}

/**
 * Refuses a second live key with the same name in one project (issue 16 #7: a name is how people tell keys
 * apart in the list, the audit log and when revoking). Compared trimmed and case-insensitively; a revoked
 * key's name may be used again.
 */
async function refuseDuplicateName(deps: Deps, projectId: string, name: string): Promise<void> {
  const wanted = name.trim().toLowerCase();
  const taken = (await listApiKeys(deps, projectId)).some((k) => !k.revokedAt && k.name.trim().toLowerCase() === wanted);
  if (taken) throw new ConflictError(`This project already has a key named "${name.trim()}". Choose another name, or revoke that key first.`);
}

/** The project's keys with their creators' emails and whether they can change things (no secrets). */
export const listKeys = projectOperation({
  name: "keys.list",
  summary: "List API keys with last use (no secrets)",
  what: "see API keys",
  input: z.object({}),
  permission: { role: "viewer", scopes: ["settings"] },
  audit: READ_ONLY,
  run: async (deps, access) => {
    const keys = await listApiKeys(deps, access.project.id);
    const emails = await userEmails(deps, keys.map((k) => k.createdBy));
    return keys.map((k) => ({ ...k, management: k.scopes.some((s) => MANAGEMENT_SCOPES.includes(s)), createdByEmail: emails.get(k.createdBy) ?? null }));
  },
});

/**
 * Creates a key for the caller with the scopes asked (default MCP use); the secret is returned once. A key
 * creating a key passes itself as the issuer: the new key may not be broader, longer-lived or on another
 * channel (issue 11 #2).
 */
export const createKey = projectOperation({
  name: "keys.create",
  summary: "Create an API key acting with your role; `key` is returned only here (admin)",
  what: "create API keys",
  input: CreateKeySchema,
  permission: CAN.manageSettings,
  audit: {
    action: "apikey.create",
    target: (_, o: CreatedKey) => ({ type: "api_key", id: o.id }),
    details: (_, o: CreatedKey) => ({ name: o.name, channel: o.channel, scopes: o.scopes }),
  },
  run: async (deps, access, data): Promise<CreatedKey> => {
    const via = access.via;
    const issuer = via.kind === "apikey" ? { scopes: via.scopes, channel: via.channel, expiresAt: via.expiresAt } : undefined;
    await refuseDuplicateName(deps, access.project.id, data.name);
    const expiresAt = data.expiresInDays ? deps.clock.now() + data.expiresInDays * DAY_MS : undefined;
    const made = await createApiKey(deps, { projectId: access.project.id, userId: access.user.id, name: data.name, channel: data.channel, scopes: data.scopes, expiresAt }, issuer);
    return { ...made, name: data.name, channel: data.channel ?? null };
  },
});

/**
 * Revokes a key of this project at once (admins). Revoking a key that is already revoked changes nothing
 * but is still recorded, like every successful operation (docs/architecture.md: Service layer).
 */
export const revokeKey = projectOperation({
  name: "keys.revoke",
  summary: "Revoke an API key at once (admin)",
  what: "revoke API keys",
  input: z.object({ id: z.string().min(1).max(100) }),
  permission: CAN.manageSettings,
  audit: {
    action: "apikey.revoke",
    target: (i) => ({ type: "api_key", id: i.id }),
    details: (_, o: { name: string; wasLive: boolean }) => ({ name: o.name }),
    when: (_, o: { name: string; wasLive: boolean }) => o.wasLive,
  },
  run: async (deps, access, i) => (await revokeApiKey(deps, access.project.id, i.id)),
});

/**
 * `portico apikey create`: the operator makes a key that acts as `user` (any member, within their role's
 * scopes), without an admin's permission — the operator holds the data dir. The event is the create
 * operation's own, with the key's member as the actor.
 */
export async function issueApiKey(
  deps: Deps,
  target: { project: Project; user: User },
  input: { name: string; channel?: "production" | "draft"; scopes?: Scope[]; expiresAt?: number },
): Promise<CreatedKey> {
  await refuseDuplicateName(deps, target.project.id, input.name);
  const made = await createApiKey(deps, { projectId: target.project.id, userId: target.user.id, ...input });
  const created: CreatedKey = { ...made, name: input.name.trim(), channel: input.channel ?? null };
  const asked = { name: created.name, channel: input.channel, scopes: input.scopes, expiresInDays: undefined };
  await recordAudit(deps, createKey.audit, { orgId: target.project.orgId, actorId: target.user.id, projectId: target.project.id }, asked, created);
  return created;
}
