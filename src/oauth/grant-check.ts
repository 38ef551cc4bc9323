/**
 * The per-request grant check (docs/architecture.md: Grant — "checked on every request"): one prepared SQL query reads
 * the grant, its approving session and the user's current membership; `grantProblem` says in words why the
 * grant cannot be used, or null. The token endpoint runs the same check before minting anything.
 */
import type { Deps } from "../deps";
import type { Channel, Role } from "../db/schema";
import { isSessionLive } from "../auth/sessions";
import { channelMinRole, roleAtLeast } from "../auth/scopes";
import { systemClock } from "../lib/clock";
import { rawGet, rawQuery } from "../db/raw";

/** A grant with its approving session and the user's current role, as the per-request check reads it. */
export interface GrantState {
  id: string;
  userId: string;
  orgId: string;
  projectId: string;
  channel: Channel;
  resource: string;
  clientId: string;
  scopes: string;
  sessionId: string;
  revokedAt: number | null;
  /** Why it was revoked, in words (set by `revokeGrant`: "member removed", "revoked by an admin" …). */
  revokedReason: string | null;
  lastUsedAt: number | null;
  /** The MCP revision the client last spoke with this grant (`grants.protocol_version`). */
  protocolVersion: string | null;
  sessionEndedAt: number | null;
  /** Null when the session row is gone. */
  sessionLastSeenAt: number | null;
  /** The user's role in the grant's org now; null when no longer a member. */
  role: Role | null;
}

// Correlated scalar subqueries instead of joins: same single statement, measured ~6x faster in bun:sqlite
// (≈4 µs vs ≈22 µs for the equivalent JOIN / LEFT JOIN on Bun 1.4.5).
const GRANT_STATE = rawQuery<GrantState>(
  `SELECT g.id AS "id", g.user_id AS "userId", g.org_id AS "orgId", g.project_id AS "projectId", g.channel AS "channel",
  g.resource AS "resource", g.client_id AS "clientId", g.scopes AS "scopes", g.session_id AS "sessionId",
  g.revoked_at AS "revokedAt", g.revoked_reason AS "revokedReason", g.last_used_at AS "lastUsedAt", g.protocol_version AS "protocolVersion",
  (SELECT ended_at FROM sessions WHERE id = g.session_id) AS "sessionEndedAt",
  (SELECT last_seen_at FROM sessions WHERE id = g.session_id) AS "sessionLastSeenAt",
  (SELECT role FROM memberships WHERE org_id = g.org_id AND user_id = g.user_id) AS "role"
FROM grants g
WHERE g.id = ?`,
  { numbers: ["revokedAt", "lastUsedAt", "sessionEndedAt", "sessionLastSeenAt"] },
);

/**
 * Reads a grant with its session and membership in one prepared query. bun:sqlite's `query()` keeps the
 * compiled statement on the connection, keyed by its text: looking it up again costs no measurable time.
 */
export async function loadGrantState(deps: Pick<Deps, "db">, grantId: string): Promise<GrantState | null> {
  return await rawGet(deps.db, GRANT_STATE, [grantId]);
}

/**
 * Why the grant cannot be used at `now` (words for `error_description`), or null when it can. `now` comes from the
 * caller's `deps.clock`; a caller without deps falls back to the system clock.
 */
export function grantProblem(state: GrantState | null, sessionIdleTtl: number, now = systemClock.now()): string | null {
  if (!state) return "the authorization no longer exists";
  // docs/architecture.md: the 401's error_description says why, so "member removed" reaches the host (and its user).
  if (state.revokedAt !== null) return state.revokedReason ? `the authorization was revoked (${state.revokedReason})` : "the authorization was revoked";
  if (state.sessionLastSeenAt === null || !isSessionLive({ endedAt: state.sessionEndedAt, lastSeenAt: state.sessionLastSeenAt }, sessionIdleTtl, now)) {
    return "the sign-in session that approved this app has ended; connect the app again";
  }
  if (!state.role) return "the user is no longer a member of this organization";
  if (!roleAtLeast(state.role, channelMinRole(state.channel))) {
    return `the user's role (${state.role}) no longer allows the ${state.channel} channel`;
  }
  return null;
}

/**
 * The kind of `grantProblem`, for the connection doctor's rules (src/doctor/rules): stored in the refused
 * step's detail as `why`, so a rule need not parse the words.
 */
export type GrantProblemKind = "gone" | "revoked" | "member_removed" | "session_ended" | "not_member" | "role_lowered";

export function grantProblemKind(state: GrantState | null, sessionIdleTtl: number, now = systemClock.now()): GrantProblemKind | null {
  if (!state) return "gone";
  if (state.revokedAt !== null) return state.revokedReason === "member removed" ? "member_removed" : "revoked";
  if (state.sessionLastSeenAt === null || !isSessionLive({ endedAt: state.sessionEndedAt, lastSeenAt: state.sessionLastSeenAt }, sessionIdleTtl, now)) return "session_ended";
  if (!state.role) return "not_member";
  if (!roleAtLeast(state.role, channelMinRole(state.channel))) return "role_lowered";
  return null;
}
