/**
 * Which of a set of credentials still stand, in one query per kind (src/mcp/stream-credentials.ts ends the
 * streams of the others): grants not revoked, API keys neither revoked nor expired at `now`, sign-in
 * sessions not ended, and projects still public (what an anonymous stream holds).
 */
import type { Db } from "../db/client";
import { placeholders, rawAll, rawQuery } from "../db/raw";

const LIVE = {
  grants: "SELECT id FROM grants WHERE revoked_at IS NULL AND id IN",
  apiKeys: "SELECT id FROM api_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) AND id IN",
  sessions: "SELECT id FROM sessions WHERE ended_at IS NULL AND id IN",
  publicProjects: "SELECT id FROM projects WHERE visibility = 'public' AND id IN",
} as const;

async function liveOf(db: Db, sql: string, ids: ReadonlySet<string>, before: Array<string | number> = []): Promise<Set<string>> {
  if (ids.size === 0) return new Set();
  const list = [...ids];
  const rows = await rawAll(db, rawQuery<{ id: string }>(`${sql} (${placeholders(list.length)})`), [...before, ...list]);
  return new Set(rows.map((r) => r.id));
}

export const liveGrants = (db: Db, ids: ReadonlySet<string>) => liveOf(db, LIVE.grants, ids);
export const liveApiKeys = (db: Db, ids: ReadonlySet<string>, now: number) => liveOf(db, LIVE.apiKeys, ids, [now]);
export const liveSessions = (db: Db, ids: ReadonlySet<string>) => liveOf(db, LIVE.sessions, ids);
export const publicProjects = (db: Db, ids: ReadonlySet<string>) => liveOf(db, LIVE.publicProjects, ids);
