/**
 * API key operations shared by the pages and the API; admins create and revoke, members may list (an API
 * key needs `settings` for any of them: issue 11 #2 maps keys onto DESIGN's scope table).
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { CHANNELS } from "../db/schema";
import { MANAGEMENT_SCOPES, SCOPES } from "../auth/scopes";
import { createApiKey, listApiKeys, revokeApiKey } from "../apikeys/keys";
import { need, type ProjectAccess } from "./access";
import { parseInput } from "./input";
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

/** The project's keys with their creators' emails and whether they can change things (no secrets). */
export function listKeysOp(deps: Deps, access: ProjectAccess) {
  need(access, "viewer", "see API keys", ["settings"]);
  const keys = listApiKeys(deps, access.project.id);
  const emails = userEmails(deps, keys.map((k) => k.createdBy));
  return keys.map((k) => ({ ...k, management: k.scopes.some((s) => MANAGEMENT_SCOPES.includes(s)), createdByEmail: emails.get(k.createdBy) ?? null }));
}

/**
 * Creates a key for the caller with the scopes asked (default MCP use); the secret is returned once. A key
 * creating a key passes itself as the issuer: the new key may not be broader, longer-lived or on another
 * channel (issue 11 #2).
 */
export function createKeyOp(deps: Deps, access: ProjectAccess, input: unknown): { id: string; key: string } {
  need(access, "admin", "create API keys", ["settings"]);
  const data = parseInput(CreateKeySchema, input);
  const via = access.via;
  return createApiKey(
    deps,
    {
      projectId: access.project.id,
      userId: access.user.id,
      name: data.name,
      channel: data.channel,
      scopes: data.scopes,
      expiresAt: data.expiresInDays ? Date.now() + data.expiresInDays * DAY_MS : undefined,
    },
    via.kind === "apikey" ? { scopes: via.scopes, channel: via.channel, expiresAt: via.expiresAt } : undefined,
  );
}

/** Revokes a key of this project at once (admins). */
export function revokeKeyOp(deps: Deps, access: ProjectAccess, keyId: string): void {
  need(access, "admin", "revoke API keys", ["settings"]);
  revokeApiKey(deps, access.project.id, keyId, access.user.id);
}
