/**
 * API keys (DESIGN: API key): `prt_` bearer secrets bound to one project, shown once, stored as SHA-256,
 * optional expiry, revocable, last use tracked. A key has no scopes of its own: it acts with its
 * creator's CURRENT role, read on every request, on the channels that role reaches — or on the one
 * channel it was narrowed to.
 */
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordOrgEvent } from "../audit/org-audit";
import { allowedScopes, channelMinRole, roleAtLeast } from "../auth/scopes";
import type { Principal } from "../auth/principal";
import type { Deps } from "../deps";
import { apiKeys, CHANNELS, projects, type Channel, type Role } from "../db/schema";
import { ForbiddenError, NotFoundError, OAuthError, fromZod } from "../errors";
import { sha256 } from "../lib/crypto";
import { newId, newToken } from "../lib/ids";
import { roleOf } from "../projects/orgs";

export const API_KEY_PREFIX = "prt_";
/** last_used_at is written at most this often per key, so each request does not become a write. */
const LAST_USED_INTERVAL_MS = 60_000;

export const CreateApiKeySchema = z.object({
  projectId: z.string().min(1),
  userId: z.string().min(1),
  name: z.string().trim().min(1, "give the key a name").max(100),
  channel: z.enum(CHANNELS).optional(),
  /** Epoch ms; must lie in the future. */
  expiresAt: z.number().int().positive().optional(),
});

type KeyDeps = Pick<Deps, "db" | "bus">;

/** True for strings shaped like a Portico API key (cheap check before hashing). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX) && token.length < 100;
}

function projectOrg(deps: KeyDeps, projectId: string): string {
  const row = deps.db.select({ orgId: projects.orgId }).from(projects).where(eq(projects.id, projectId)).get();
  if (!row) throw new NotFoundError("No such project.");
  return row.orgId;
}

/** Creates a key; the secret is returned once and only its hash is stored. */
export function createApiKey(deps: KeyDeps, input: z.input<typeof CreateApiKeySchema>): { id: string; key: string } {
  const parsed = CreateApiKeySchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const { projectId, userId, name, channel, expiresAt } = parsed.data;
  const now = Date.now();
  if (expiresAt !== undefined && expiresAt <= now) throw fromZod({ issues: [{ path: ["expiresAt"], message: "must be in the future" }] });
  const orgId = projectOrg(deps, projectId);
  const role = roleOf(deps.db, orgId, userId);
  if (!role) throw new ForbiddenError("Only members of the organization can create API keys for its projects.");
  if (channel && !roleAtLeast(role, channelMinRole(channel))) {
    throw new ForbiddenError(`Your role (${role}) cannot use the ${channel} channel, so a key for it would not work.`);
  }
  const key = newToken(API_KEY_PREFIX);
  const id = newId("key");
  deps.db
    .insert(apiKeys)
    .values({ id, projectId, createdBy: userId, name, prefix: key.slice(0, 12), keyHash: sha256(key), channel: channel ?? null, createdAt: now, expiresAt: expiresAt ?? null })
    .run();
  recordOrgEvent(deps.db, { orgId, actorId: userId, action: "apikey.create", targetType: "api_key", targetId: id, projectId, details: { name, channel: channel ?? null } });
  return { id, key };
}

/** A project's keys, newest first, without hashes. */
export function listApiKeys(deps: Pick<Deps, "db">, projectId: string) {
  return deps.db
    .select({
      id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, channel: apiKeys.channel, createdBy: apiKeys.createdBy,
      createdAt: apiKeys.createdAt, expiresAt: apiKeys.expiresAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.projectId, projectId))
    .orderBy(desc(apiKeys.createdAt))
    .all();
}

/** Revokes a key at once: open MCP sessions made with it are closed (`apiKeyRevoked`). */
export function revokeApiKey(deps: KeyDeps, projectId: string, id: string, actorId: string | null): void {
  const key = deps.db.select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.projectId, projectId))).get();
  if (!key) throw new NotFoundError("No such API key in this project.");
  if (key.revokedAt === null) {
    deps.db.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, id)).run();
    recordOrgEvent(deps.db, { orgId: projectOrg(deps, projectId), actorId, action: "apikey.revoke", targetType: "api_key", targetId: id, projectId, details: { name: key.name } });
  }
  deps.bus.emit("apiKeyRevoked", { apiKeyId: id });
}

interface KeyLookup {
  id: string;
  project_id: string;
  created_by: string;
  channel: Channel | null;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  role: Role | null;
}

const LOOKUP_SQL = `SELECT k.id, k.project_id, k.created_by, k.channel, k.expires_at, k.last_used_at, k.revoked_at, m.role
  FROM api_keys k JOIN projects p ON p.id = k.project_id
  LEFT JOIN memberships m ON m.org_id = p.org_id AND m.user_id = k.created_by
  WHERE k.key_hash = ?`;

function invalidKey(description: string): OAuthError {
  return new OAuthError("invalid_token", description, 401);
}

/**
 * Resolves an API key for a request to one project channel; runs on every MCP request. Throws 401
 * `invalid_token` (unknown, revoked, expired, creator no longer a member) or 403 (wrong project or channel,
 * role too low for the channel).
 */
export function authenticateApiKey(
  deps: Pick<Deps, "db">,
  key: string,
  target: { projectId: string; channel: Channel },
  now = Date.now(),
  /** Optional read-through cache (the MCP hot path); the default reads the row every time. */
  read: <T>(cacheKey: string, load: () => T) => T = (_, load) => load(),
): Extract<Principal, { kind: "apikey" }> {
  const sqlite = deps.db.$client;
  const hash = sha256(key);
  const row = read(`apikey:${hash}`, () => sqlite.query<KeyLookup, [string]>(LOOKUP_SQL).get(hash));
  if (!row) throw invalidKey("The API key is not valid.");
  if (row.revoked_at !== null) throw invalidKey("The API key was revoked.");
  if (row.expires_at !== null && row.expires_at <= now) throw invalidKey("The API key has expired.");
  if (!row.role) throw invalidKey("The API key's creator is no longer a member of the organization.");
  if (row.project_id !== target.projectId) throw new ForbiddenError("This API key belongs to another project.");
  if (row.channel && row.channel !== target.channel) throw new ForbiddenError(`This API key only works on the ${row.channel} channel.`);
  if (!roleAtLeast(row.role, channelMinRole(target.channel))) {
    throw new ForbiddenError(`The key's creator (role ${row.role}) cannot use the ${target.channel} channel.`);
  }
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_INTERVAL_MS) {
    sqlite.query("UPDATE api_keys SET last_used_at = ? WHERE id = ?").run(now, row.id);
  }
  return { kind: "apikey", userId: row.created_by, apiKeyId: row.id, role: row.role, scopes: allowedScopes(row.role, target.channel) };
}
