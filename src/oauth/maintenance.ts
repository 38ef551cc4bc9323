/**
 * Housekeeping of OAuth rows, scheduled by the OAuth plugin: once a second after start (off the start-up
 * path, src/lib/periodic.ts) and then every ten minutes until
 * shutdown, so a single binary needs no external scheduler and the 24-hour removal of unused dynamic clients
 * (issue 11 #10) happens even when nobody registers or authorizes. Removed: expired authorization
 * requests, codes a day after expiry (kept that long so a replay can still be recognised and revoke its
 * grant), expired refresh tokens, dynamic registrations that never completed an authorization within 24 h, and the
 * sealed successor pairs of refresh tokens whose 30 s grace window is over (issue 11 #6: kept for the window
 * only; a later presentation revokes the family and needs no pair).
 */
import { and, isNotNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Deps } from "../deps";
import { systemClock } from "../lib/clock";
import { runPeriodically } from "../lib/periodic";
import { pruneUnusedClients } from "./clients";
import { REFRESH_GRACE_MS } from "./grant-refresh-token";

const CODE_KEEP_MS = 24 * 3600 * 1000;
/** How often the running server prunes. */
export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/**
 * Deletes expired OAuth rows and drops sealed successors past their window; returns how many rows of each kind went.
 * `now` comes from the caller's `deps.clock`; a caller holding only a database falls back to the system clock.
 */
export async function pruneExpiredOAuthRows(db: Db, now = systemClock.now()) {
  const { authCodes, authRequests, refreshTokens } = db.t;
  const count = async (q: PromiseLike<unknown[]>) => (await q).length;
  await db.update(refreshTokens)
        .set({ successor: null })
        .where(and(isNotNull(refreshTokens.successor), lt(refreshTokens.usedAt, now - REFRESH_GRACE_MS)));
  return {
    requests: await count(db.delete(authRequests).where(lt(authRequests.expiresAt, now)).returning({ id: authRequests.id })),
    codes: await count(db.delete(authCodes).where(lt(authCodes.expiresAt, now - CODE_KEEP_MS)).returning({ h: authCodes.codeHash })),
    refreshTokens: await count(db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, now)).returning({ h: refreshTokens.tokenHash })),
    clients: await pruneUnusedClients(db, now),
  };
}

/** Prunes shortly after start (`FIRST_RUN_DELAY_MS`) and every `HOUSEKEEPING_INTERVAL_MS` until shutdown. */
export function scheduleOAuthHousekeeping(deps: Pick<Deps, "db" | "log" | "shutdownHooks" | "clock">): void {
  runPeriodically(deps, "oauth housekeeping", HOUSEKEEPING_INTERVAL_MS, async () => {
    const removed = await pruneExpiredOAuthRows(deps.db, deps.clock.now());
    if (Object.values(removed).some((n) => n > 0)) deps.log.info(removed, "oauth housekeeping pruned rows");
  });
}
