/**
 * Client lookup for every endpoint: an https client_id with a path is a Client ID Metadata Document,
 * anything else must be a dynamic registration in `oauth_clients`. An unknown client is `invalid_client`,
 * which makes hosts (Claude, the SDK) forget their stale registration and register again.
 */
import { and, eq, gt, inArray, isNull, lt, notExists, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Deps } from "../deps";
import { type OAuthClient } from "../db/schema";
import { isCimdClientId, resolveCimdClient } from "./cimd";
import { invalidClient } from "./errors";
import { first, transaction } from "../db/query";

/**
 * DCR clients that never completed an authorization are removed after this long (issue 11 #10; it was 7
 * days for clients without a grant). Registration is anonymous, so each one should cost the table little.
 */
export const UNUSED_CLIENT_TTL_MS = 24 * 3600 * 1000;

/**
 * Finds (or, for CIMD, fetches) the client; throws OAuthError `invalid_client` (with `status`) when there
 * is none (`basic`: the client tried HTTP Basic, so the 401 carries a Basic challenge). `ip` is the
 * requester's, which CIMD fetches are rate-limited by.
 */
export async function findClient(deps: Deps, clientId: string, opts: { status?: number; ip?: string; basic?: boolean } = {}): Promise<OAuthClient> {
  const { oauthClients } = deps.db.t;
  if (isCimdClientId(clientId)) return resolveCimdClient(deps, clientId, opts.ip);
  const client = clientId.length <= 200 ? (await first(deps.db.select().from(oauthClients).where(eq(oauthClients.id, clientId)))) : undefined;
  if (!client || client.registration !== "dcr") {
    throw invalidClient("Unknown client: it may have been removed. Register the client again.", { status: opts.status, basic: opts.basic });
  }
  return client;
}

/** Records that `clientId` was issued tokens: it has completed an authorization and is kept (issue 11 #10). */
export async function markClientUsed(db: Db, clientId: string, now: number): Promise<void> {
  const { oauthClients } = db.t;
  await db.update(oauthClients).set({ lastUsedAt: now }).where(eq(oauthClients.id, clientId));
}

/**
 * Deletes dynamic registrations older than 24 h that never completed an authorization — never issued
 * tokens: no `last_used_at` (set at every token issuance) and no refresh token in any of their grants
 * (clients that got tokens before `last_used_at` was kept) — with the grants they never redeemed, which
 * would otherwise be listed as connected apps of a removed client. A client whose last consent is under
 * 24 h old is kept. Returns how many clients went.
 */
export async function pruneUnusedClients(db: Db, now: number): Promise<number> {
  return await transaction(db, async (tx) => {
      const { grants, oauthClients, refreshTokens } = tx.t;
      const ids = (await tx
            .select({ id: oauthClients.id })
            .from(oauthClients)
            .where(
              and(
                eq(oauthClients.registration, "dcr"),
                lt(oauthClients.createdAt, now - UNUSED_CLIENT_TTL_MS),
                isNull(oauthClients.lastUsedAt),
                notExists(
                  tx
                    .select({ one: sql`1` })
                    .from(refreshTokens)
                    .innerJoin(grants, eq(grants.id, refreshTokens.grantId))
                    .where(eq(grants.clientId, oauthClients.id)),
                ),
                // A consent given in the last 24 h may still be on its way to the token endpoint.
                notExists(tx.select({ one: sql`1` }).from(grants).where(and(eq(grants.clientId, oauthClients.id), gt(grants.createdAt, now - UNUSED_CLIENT_TTL_MS)))),
              ),
            ))
        .map((r) => r.id);
      if (ids.length === 0) return 0;
      await tx.delete(grants).where(inArray(grants.clientId, ids));
      await tx.delete(oauthClients).where(inArray(oauthClients.id, ids));
      return ids.length;
    });
}
