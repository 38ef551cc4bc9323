/**
 * Open notification streams (2025 GET streams, 2026 subscriptions/listen) end when their credential is
 * revoked. A revocation in this process reaches them through the event bus at once; one made elsewhere
 * (the CLI on the same data dir, later another instance) only shows in the change feed. On such a change
 * the credentials the streams hold are looked up once, in one query per kind, and streams whose grant,
 * API key or approving sign-in session is gone end (docs/architecture.md, "Change feed").
 */
import type { Database } from "bun:sqlite";

/** The credential a stream was opened with. */
export interface HeldCredential {
  grantId: string | null;
  apiKeyId: string | null;
  loginSessionId: string | null;
}

/** Something holding streams, each opened with a credential. */
export interface StreamHolder {
  heldCredentials(): HeldCredential[];
  endHeld(dead: (c: HeldCredential) => boolean): void;
}

const LIVE = {
  grants: "SELECT id FROM grants WHERE revoked_at IS NULL AND id IN",
  apiKeys: "SELECT id FROM api_keys WHERE revoked_at IS NULL AND id IN",
  sessions: "SELECT id FROM sessions WHERE ended_at IS NULL AND id IN",
} as const;

function liveOf(sqlite: Database, sql: string, ids: Set<string>): Set<string> {
  if (ids.size === 0) return ids;
  const list = [...ids];
  const rows = sqlite.query<{ id: string }, string[]>(`${sql} (${list.map(() => "?").join(",")})`).all(...list);
  return new Set(rows.map((r) => r.id));
}

/** Ends every held stream whose credential no longer stands. */
export function endRevokedStreams(sqlite: Database, holders: StreamHolder[]): void {
  const held = holders.flatMap((h) => h.heldCredentials());
  if (held.length === 0) return;
  const ids = (pick: (c: HeldCredential) => string | null) => new Set(held.map(pick).filter((x): x is string => x !== null));
  const grants = liveOf(sqlite, LIVE.grants, ids((c) => c.grantId));
  const keys = liveOf(sqlite, LIVE.apiKeys, ids((c) => c.apiKeyId));
  const sessions = liveOf(sqlite, LIVE.sessions, ids((c) => c.loginSessionId));
  const dead = (c: HeldCredential) =>
    (c.grantId !== null && !grants.has(c.grantId)) || (c.apiKeyId !== null && !keys.has(c.apiKeyId)) || (c.loginSessionId !== null && !sessions.has(c.loginSessionId));
  for (const h of holders) h.endHeld(dead);
}
