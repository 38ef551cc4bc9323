/** API key operations shared by the pages and the API; admins create and revoke, members may list. */
import { z } from "zod";
import type { Deps } from "../../deps";
import { CHANNELS } from "../../db/schema";
import { createApiKey, listApiKeys, revokeApiKey } from "../../apikeys/keys";
import { need, type ProjectAccess } from "../access";
import { parseInput } from "../context";
import { userEmails } from "./org-events";

const DAY_MS = 86_400_000;

/** The create-key form and API body. */
export const CreateKeySchema = z.object({
  name: z.string().trim().min(1, "give the key a name").max(100),
  channel: z.preprocess((v) => (v === "" || v === "any" ? undefined : v), z.enum(CHANNELS).optional()),
  /** Days until it expires; empty = never. */
  expiresInDays: z.preprocess((v) => (v === "" || v === "never" ? undefined : v), z.coerce.number().int().min(1).max(3650).optional()),
});

/** The project's keys with their creators' emails (no secrets). */
export function listKeysOp(deps: Deps, access: ProjectAccess) {
  need(access, "viewer", "see API keys");
  const keys = listApiKeys(deps, access.project.id);
  const emails = userEmails(deps, keys.map((k) => k.createdBy));
  return keys.map((k) => ({ ...k, createdByEmail: emails.get(k.createdBy) ?? null }));
}

/** Creates a key acting with the caller's role; the secret is returned once. */
export function createKeyOp(deps: Deps, access: ProjectAccess, input: unknown): { id: string; key: string } {
  need(access, "admin", "create API keys");
  const data = parseInput(CreateKeySchema, input);
  return createApiKey(deps, {
    projectId: access.project.id,
    userId: access.user.id,
    name: data.name,
    channel: data.channel,
    expiresAt: data.expiresInDays ? Date.now() + data.expiresInDays * DAY_MS : undefined,
  });
}

/** Revokes a key of this project at once (admins). */
export function revokeKeyOp(deps: Deps, access: ProjectAccess, keyId: string): void {
  need(access, "admin", "revoke API keys");
  revokeApiKey(deps, access.project.id, keyId, access.user.id);
}
