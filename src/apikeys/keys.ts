/**
 * API keys (docs/architecture.md: API key): `prt_` bearer secrets bound to one project, shown once, stored as SHA-256,
 * optional expiry, revocable, last use tracked. A key carries explicit scopes (issue 11 #2: default MCP
 * use only), and on every request acts with those scopes ∩ what its creator's CURRENT role allows, on its
 * one channel if it was narrowed to one. A key never creates a key broader, longer-lived or on another
 * channel than itself; removing a member revokes their keys in that org for good.
 */
import { rawGet, rawQuery, rawRun } from "../db/raw";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { recordOrgEvent } from "../audit/org-audit";
import { allowedScopes, channelMinRole, DEFAULT_KEY_SCOPES, formatScopes, knownScopes, parseScopes, roleAtLeast, SCOPES, type Scope } from "../auth/scopes";
import type { Principal } from "../auth/principal";
import type { Deps } from "../deps";
import { CHANNELS, type Channel, type Role } from "../db/schema";
import { ForbiddenError, NotFoundError, OAuthError, fromZod } from "../errors";
import { systemClock } from "../lib/clock";
import { sha256 } from "../lib/crypto";
import { newId, newToken } from "../lib/ids";
import { roleOf } from "../projects/orgs";
import { first } from "../db/query";

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
  /** Default: MCP use only (`project:read tools:call`, plus `draft` for a draft-only key). */
  scopes: z.array(z.enum(SCOPES)).min(1, "choose at least one scope").optional(),
});

/** The key a request was made with, when a key creates a key: the new one may not exceed it (issue 11 #2). */
export interface IssuingKey {
  scopes: readonly Scope[];
  channel: Channel | null;
  expiresAt: number | null;
}

type KeyDeps = Pick<Deps, "db" | "bus" | "clock">;

/** True for strings shaped like a Portico API key (cheap check before hashing). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX) && token.length < 100;
}

async function projectOrg(deps: KeyDeps, projectId: string): Promise<string> {
  const { projects } = deps.db.t;
  const row = await first(deps.db.select({ orgId: projects.orgId }).from(projects).where(eq(projects.id, projectId)));
  if (!row) throw new NotFoundError("No such project.");
  return row.orgId;
}

function invalidInput(field: string, message: string): never {
  throw fromZod({ issues: [{ path: [field], message }] });
}

/**
 * The scopes a new key gets: what was asked (default MCP use), checked against the creator's role on the
 * key's channel and against the issuing key, if a key is creating it. Refusals name the offending scopes.
 */
function keyScopes(role: Role, channel: Channel | null, asked: readonly Scope[] | undefined, issuer?: IssuingKey): Scope[] {
  // A draft-only key is useless without `draft` (as a draft grant: see grantedScopes), so it always gets it.
  const scopes = knownScopes([...(asked ?? DEFAULT_KEY_SCOPES), ...(channel === "draft" ? ["draft"] : [])]);
  if (channel === "production" && scopes.includes("draft")) invalidInput("scopes", `"draft" is for the draft channel; a production-only key cannot hold it`);
  const beyondRole = scopes.filter((s) => !allowedScopes(role, channel ?? "draft").includes(s));
  if (beyondRole.length) {
    throw new ForbiddenError(`Your role (${role}) does not allow ${beyondRole.map((s) => `"${s}"`).join(", ")}, so a key cannot carry ${beyondRole.length > 1 ? "them" : "it"}.`);
  }
  const beyondKey = issuer ? scopes.filter((s) => !issuer.scopes.includes(s)) : [];
  if (beyondKey.length) {
    throw new ForbiddenError(`A key cannot create a broader key: this key lacks ${beyondKey.map((s) => `"${s}"`).join(", ")}.`);
  }
  return scopes;
}

/**
 * Creates a key; the secret is returned once and only its hash is stored. `issuer` is the key the
 * request came with (JSON API): the new key stays within its scopes, channel and expiry (issue 11 #2).
 * The org audit event is the `keys.create` operation's (src/services/keys.ts), recorded once by its caller.
 */
export async function createApiKey(deps: KeyDeps, input: z.input<typeof CreateApiKeySchema>, issuer?: IssuingKey): Promise<{ id: string; key: string; scopes: Scope[] }> {
  const { apiKeys } = deps.db.t;
  const parsed = CreateApiKeySchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const { projectId, userId, name, channel, expiresAt } = parsed.data;
  const now = deps.clock.now();
  if (expiresAt !== undefined && expiresAt <= now) invalidInput("expiresAt", "must be in the future");
  const orgId = await projectOrg(deps, projectId);
  const role = await roleOf(deps.db, orgId, userId);
  if (!role) throw new ForbiddenError("Only members of the organization can create API keys for its projects.");
  if (channel && !roleAtLeast(role, channelMinRole(channel))) {
    throw new ForbiddenError(`Your role (${role}) cannot use the ${channel} channel, so a key for it would not work.`);
  }
  if (issuer?.channel && channel !== issuer.channel) {
    throw new ForbiddenError(`This key works only on the ${issuer.channel} channel, so the keys it creates must be limited to ${issuer.channel} too.`);
  }
  if (issuer?.expiresAt != null && (expiresAt === undefined || expiresAt > issuer.expiresAt)) {
    throw new ForbiddenError(`A key cannot create a key that outlives it: this key expires at ${new Date(issuer.expiresAt).toISOString()}.`);
  }
  const scopes = keyScopes(role, channel ?? null, parsed.data.scopes, issuer);
  const key = newToken(API_KEY_PREFIX);
  const id = newId("key");
  await deps.db
        .insert(apiKeys)
        .values({
          id, projectId, createdBy: userId, name, prefix: key.slice(0, 12), keyHash: sha256(key), channel: channel ?? null, scopes: formatScopes(scopes),
          createdAt: now, expiresAt: expiresAt ?? null,
        });
  return { id, key, scopes };
}

/** A project's keys, newest first, without hashes. */
export async function listApiKeys(deps: Pick<Deps, "db">, projectId: string) {
  const { apiKeys } = deps.db.t;
  return (await deps.db
      .select({
        id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, channel: apiKeys.channel, scopes: apiKeys.scopes, createdBy: apiKeys.createdBy,
        createdAt: apiKeys.createdAt, expiresAt: apiKeys.expiresAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .where(eq(apiKeys.projectId, projectId))
      .orderBy(desc(apiKeys.createdAt)))
    .map((k) => ({ ...k, scopes: knownScopes(parseScopes(k.scopes)) }));
}

/**
 * Revokes a key at once: open MCP sessions made with it are closed (`apiKeyRevoked`). The org audit event
 * is the `keys.revoke` operation's (src/services/keys.ts); returns the key's name for it.
 */
export async function revokeApiKey(deps: KeyDeps, projectId: string, id: string): Promise<{ name: string; wasLive: boolean }> {
  const { apiKeys } = deps.db.t;
  const key = await first(deps.db.select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.projectId, projectId))));
  if (!key) throw new NotFoundError("No such API key in this project.");
  if (key.revokedAt === null) await deps.db.update(apiKeys).set({ revokedAt: deps.clock.now() }).where(eq(apiKeys.id, id));
  deps.bus.emit("apiKeyRevoked", { apiKeyId: id });
  return { name: key.name, wasLive: key.revokedAt === null };
}

/**
 * Revokes every live key a user created for this org's projects, for good (issue 11 #2: a removed member's
 * key must not come back when they are re-added; #4: an org admin ends a member's access in this org only).
 * Each revocation is an org audit event; open MCP sessions made with them are closed.
 */
export async function revokeUserKeysInOrg(deps: KeyDeps, orgId: string, userId: string, actor: { actorId: string | null; reason: string }): Promise<number> {
  const { apiKeys, projects } = deps.db.t;
  const keys = await deps.db
      .select({ id: apiKeys.id, name: apiKeys.name, projectId: apiKeys.projectId })
      .from(apiKeys)
      .where(and(eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt), inArray(apiKeys.projectId, deps.db.select({ id: projects.id }).from(projects).where(eq(projects.orgId, orgId)))));
  const now = deps.clock.now();
  for (const key of keys) {
    await deps.db.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, key.id));
    await recordOrgEvent(deps.db, {
            orgId, actorId: actor.actorId, action: "apikey.revoke", targetType: "api_key", targetId: key.id, projectId: key.projectId, details: { name: key.name, reason: actor.reason }, time: now,
          });
    deps.bus.emit("apiKeyRevoked", { apiKeyId: key.id });
  }
  return keys.length;
}

interface KeyLookup {
  id: string;
  project_id: string;
  created_by: string;
  channel: Channel | null;
  scopes: string;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  role: Role | null;
}

const LOOKUP = rawQuery<KeyLookup>(
  `SELECT k.id, k.project_id, k.created_by, k.channel, k.scopes, k.expires_at, k.last_used_at, k.revoked_at, m.role
  FROM api_keys k JOIN projects p ON p.id = k.project_id
  LEFT JOIN memberships m ON m.org_id = p.org_id AND m.user_id = k.created_by
  WHERE k.key_hash = ?`,
  { numbers: ["expires_at", "last_used_at", "revoked_at"] },
);
const TOUCH = rawQuery("UPDATE api_keys SET last_used_at = ? WHERE id = ?");

function invalidKey(description: string): OAuthError {
  return new OAuthError("invalid_token", description, 401);
}

type Read = <T>(cacheKey: string, load: () => T) => T;

/** Looks a key up and checks what binds every use: revoked, expired, creator still a member, its project. */
async function liveKey(deps: Pick<Deps, "db">, key: string, projectId: string, now: number, read: Read): Promise<KeyLookup & { role: Role }> {
  const hash = sha256(key);
  const row = await read(`apikey:${hash}`, () => rawGet(deps.db, LOOKUP, [hash]));
  if (!row) throw invalidKey("The API key is not valid.");
  if (row.revoked_at !== null) throw invalidKey("The API key was revoked.");
  if (row.expires_at !== null && row.expires_at <= now) throw invalidKey("The API key has expired.");
  if (!row.role) throw invalidKey("The API key's creator is no longer a member of the organization.");
  if (row.project_id !== projectId) throw new ForbiddenError("This API key belongs to another project.");
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_INTERVAL_MS) {
    // The row may be the read cache's. The stamp is raw SQL, which the Postgres change feed does not
    // announce, so nothing drops that entry: without this every request would write the stamp again
    // (measured: one UPDATE + commit per API-key call on Postgres). Set before the await, so concurrent
    // requests on the cached row do not all write it; restored when the write fails.
    const previous = row.last_used_at;
    row.last_used_at = now;
    try {
      await rawRun(deps.db, TOUCH, [now, row.id]);
    } catch (err) {
      if (row.last_used_at === now) row.last_used_at = previous;
      throw err;
    }
  }
  return row as KeyLookup & { role: Role };
}

/** The key's own scopes ∩ what its creator's current role allows on `channel` (re-computed per request). */
function effectiveScopes(row: KeyLookup & { role: Role }, channel: Channel): Scope[] {
  const own = parseScopes(row.scopes);
  return allowedScopes(row.role, channel).filter((s) => own.includes(s));
}

/**
 * Resolves an API key for a request to one project channel; runs on every MCP request. Throws 401
 * `invalid_token` (unknown, revoked, expired, creator no longer a member) or 403 (wrong project or channel,
 * role too low for the channel, or — issue 11 #2 — a key without the `draft` scope on the draft channel:
 * `insufficient_scope`). The principal's scopes are the key's scopes ∩ the creator's current role.
 * `now` comes from the caller's `deps.clock`; a caller holding only a database falls back to the system clock.
 */
export async function authenticateApiKey(
  deps: Pick<Deps, "db">,
  key: string,
  target: { projectId: string; channel: Channel },
  now = systemClock.now(),
  /** Optional read-through cache (the MCP hot path); the default reads the row every time. */
  read: Read = (_, load) => load(),
): Promise<Extract<Principal, { kind: "apikey" }>> {
  const row = await liveKey(deps, key, target.projectId, now, read);
  if (row.channel && row.channel !== target.channel) throw new ForbiddenError(`This API key only works on the ${row.channel} channel.`);
  if (!roleAtLeast(row.role, channelMinRole(target.channel))) {
    throw new ForbiddenError(`The key's creator (role ${row.role}) cannot use the ${target.channel} channel.`);
  }
  const scopes = effectiveScopes(row, target.channel);
  if (target.channel === "draft" && !scopes.includes("draft")) {
    throw new OAuthError("insufficient_scope", 'This API key does not carry the "draft" scope, so it cannot use the draft channel.', 403);
  }
  return { kind: "apikey", userId: row.created_by, apiKeyId: row.id, role: row.role, scopes };
}

/** An API key resolved for the JSON API: who it acts as and what it may do there now. */
export interface ApiKeyCaller {
  userId: string;
  apiKeyId: string;
  /** The key's scopes ∩ its creator's current role on the key's channel (any channel: the draft's superset). */
  scopes: Scope[];
  channel: Channel | null;
  expiresAt: number | null;
}

/**
 * Resolves an API key for a JSON API request to its project (issue 11 #2): the same binding checks as MCP
 * (revoked, expired, member, project), and scopes narrowed to the creator's current role on the key's
 * channel. Which scope each operation needs is the settings operations' business (`need`).
 */
export async function authenticateApiKeyForApi(deps: Pick<Deps, "db" | "clock">, key: string, projectId: string): Promise<ApiKeyCaller> {
  const row = await liveKey(deps, key, projectId, deps.clock.now(), (_, load) => load());
  return { userId: row.created_by, apiKeyId: row.id, scopes: effectiveScopes(row, row.channel ?? "draft"), channel: row.channel, expiresAt: row.expires_at };
}
