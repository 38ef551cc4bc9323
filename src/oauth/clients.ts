/**
 * Client lookup for every endpoint: an https client_id with a path is a Client ID Metadata Document,
 * anything else must be a dynamic registration in `oauth_clients`. An unknown client is `invalid_client`,
 * which makes hosts (Claude, the SDK) forget their stale registration and register again.
 */
import { and, eq, lt, notExists, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Deps } from "../deps";
import { grants, oauthClients, type OAuthClient } from "../db/schema";
import { isCimdClientId, resolveCimdClient } from "./cimd";
import { invalidClient } from "./errors";

/** DCR clients that never obtained a grant are removed after this long (DESIGN: Clients). */
export const UNUSED_CLIENT_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Finds (or, for CIMD, fetches) the client; throws OAuthError `invalid_client` (with `status`) when there
 * is none (`basic`: the client tried HTTP Basic, so the 401 carries a Basic challenge). `ip` is the
 * requester's, which CIMD fetches are rate-limited by.
 */
export async function findClient(deps: Deps, clientId: string, opts: { status?: number; ip?: string; basic?: boolean } = {}): Promise<OAuthClient> {
  if (isCimdClientId(clientId)) return resolveCimdClient(deps, clientId, opts.ip);
  const client = clientId.length <= 200 ? deps.db.select().from(oauthClients).where(eq(oauthClients.id, clientId)).get() : undefined;
  if (!client || client.registration !== "dcr") {
    throw invalidClient("Unknown client: it may have been removed. Register the client again.", { status: opts.status, basic: opts.basic });
  }
  return client;
}

/** Deletes dynamic registrations older than 7 days that have no grant; returns how many. */
export function pruneUnusedClients(db: Db, now = Date.now()): number {
  return db
    .delete(oauthClients)
    .where(
      and(
        eq(oauthClients.registration, "dcr"),
        lt(oauthClients.createdAt, now - UNUSED_CLIENT_TTL_MS),
        notExists(db.select({ one: sql`1` }).from(grants).where(eq(grants.clientId, oauthClients.id))),
      ),
    )
    .returning({ id: oauthClients.id })
    .all().length;
}
