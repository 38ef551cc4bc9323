/**
 * Names for the ids an audit row carries (issue 16 #6, "names instead of ids everywhere"): a user's email,
 * an OAuth client's (app's) name, an API key's name. One lookup per kind for a page or an export batch,
 * so the list, the detail, the API and the export show the same words. Ids whose row is gone (a deleted
 * user, a removed app) have no name; the id stays on the row for them.
 */
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";

export interface AuditNames {
  /** The user's email, null when the row has no user or the user is gone. */
  userEmail: string | null;
  /** The OAuth client's registered name (self-asserted for DCR clients). */
  clientName: string | null;
  apiKeyName: string | null;
}

interface IdsOf {
  userId: string | null;
  clientId: string | null;
  apiKeyId: string | null;
}

const ids = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => Boolean(v)))];

/** `rows` with their names added (three indexed lookups at most, whatever the number of rows). */
export async function withNames<T extends IdsOf>(db: Db, rows: T[]): Promise<Array<T & AuditNames>> {
  const { users, oauthClients, apiKeys } = db.t;
  const userIds = ids(rows.map((r) => r.userId));
  const clientIds = ids(rows.map((r) => r.clientId));
  const keyIds = ids(rows.map((r) => r.apiKeyId));
  const emails = new Map(userIds.length ? (await db.select({ id: users.id, name: users.email }).from(users).where(inArray(users.id, userIds))).map((r) => [r.id, r.name]) : []);
  const clients = new Map(clientIds.length ? (await db.select({ id: oauthClients.id, name: oauthClients.name }).from(oauthClients).where(inArray(oauthClients.id, clientIds))).map((r) => [r.id, r.name]) : []);
  const keys = new Map(keyIds.length ? (await db.select({ id: apiKeys.id, name: apiKeys.name }).from(apiKeys).where(inArray(apiKeys.id, keyIds))).map((r) => [r.id, r.name]) : []);
  return rows.map((r) => ({
    ...r,
    userEmail: (r.userId && emails.get(r.userId)) || null,
    clientName: (r.clientId && clients.get(r.clientId)) || null,
    apiKeyName: (r.apiKeyId && keys.get(r.apiKeyId)) || null,
  }));
}

/** A caller a project's log can be filtered by: an app (OAuth client) or an API key, live or not. */
export interface AuditClient {
  /** What the `client` filter takes: the OAuth client id or the API key id. */
  id: string;
  name: string;
  kind: "app" | "apikey";
  /** Every grant of the app to this project is revoked, or the key is revoked: its past calls stay in the log. */
  revoked: boolean;
}

/**
 * Every app that was ever granted access to the project and every API key it ever had, revoked ones
 * included: a revoked app's calls are still in the log and are what one looks for after revoking it.
 */
export async function auditClients(db: Db, projectId: string): Promise<AuditClient[]> {
  const { grants, oauthClients, apiKeys } = db.t;
  const grantRows = await db
    .select({ id: grants.clientId, name: oauthClients.name, revokedAt: grants.revokedAt })
    .from(grants)
    .leftJoin(oauthClients, eq(oauthClients.id, grants.clientId))
    .where(eq(grants.projectId, projectId));
  const apps = new Map<string, AuditClient>();
  for (const g of grantRows) {
    const seen = apps.get(g.id);
    const revoked = g.revokedAt !== null;
    if (seen) seen.revoked &&= revoked;
    else apps.set(g.id, { id: g.id, name: g.name ?? "Removed app", kind: "app", revoked });
  }
  const keys = (await db.select({ id: apiKeys.id, name: apiKeys.name, revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.projectId, projectId)))
    .map((k): AuditClient => ({ id: k.id, name: k.name, kind: "apikey", revoked: k.revokedAt !== null }));
  const byName = (a: AuditClient, b: AuditClient) => a.name.localeCompare(b.name);
  return [...[...apps.values()].sort(byName), ...keys.sort(byName)];
}

/** Whether the project has any audit event at all (tells "no calls yet" from "no calls match"). */
export async function hasAuditEvents(db: Db, projectId: string): Promise<boolean> {
  const { auditEvents } = db.t;
  return (await db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.projectId, projectId)).limit(1)).length > 0;
}
