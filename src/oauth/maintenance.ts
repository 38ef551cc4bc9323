/**
 * Housekeeping of OAuth rows, run opportunistically (at most once a minute, from the endpoints that create
 * rows) so a single binary needs no scheduler: expired authorization requests, codes a day after expiry
 * (kept that long so a replay can still be recognised and revoke its grant), expired refresh tokens, and
 * dynamic registrations that never obtained a grant within 7 days.
 */
import { lt } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Deps } from "../deps";
import { authCodes, authRequests, refreshTokens } from "../db/schema";
import { pruneUnusedClients } from "./clients";
import { oauthState } from "./state";

const CODE_KEEP_MS = 24 * 3600 * 1000;
const INTERVAL_MS = 60_000;

/** Deletes expired OAuth rows; returns how many of each kind. */
export function pruneExpiredOAuthRows(db: Db, now = Date.now()) {
  const count = (q: { all(): unknown[] }) => q.all().length;
  return {
    requests: count(db.delete(authRequests).where(lt(authRequests.expiresAt, now)).returning({ id: authRequests.id })),
    codes: count(db.delete(authCodes).where(lt(authCodes.expiresAt, now - CODE_KEEP_MS)).returning({ h: authCodes.codeHash })),
    refreshTokens: count(db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, now)).returning({ h: refreshTokens.tokenHash })),
    clients: pruneUnusedClients(db, now),
  };
}

/** Runs `pruneExpiredOAuthRows` unless it ran within the last minute. */
export function maybePrune(deps: Deps, now = Date.now()): void {
  const state = oauthState(deps);
  if (now - state.prunedAt < INTERVAL_MS) return;
  state.prunedAt = now;
  pruneExpiredOAuthRows(deps.db, now);
}
