/**
 * What the list_changed watcher compares (src/mcp/list-changed.ts): each project's revision (`updated_at`,
 * bumped by every draft change, and the production pin) and every membership's role — whole-table reads on
 * a change, one per change, not per request.
 */
import type { Db } from "../db/client";
import type { Role } from "../db/schema";
import { rawAll, rawGet, rawQuery } from "../db/raw";

export interface Revision {
  id: string;
  updatedAt: number;
  productionVersionId: string | null;
}

const REVISIONS = rawQuery<Revision>(`SELECT id AS "id", updated_at AS "updatedAt", production_version_id AS "productionVersionId" FROM projects`, { numbers: ["updatedAt"] });
const REVISION = rawQuery<Revision>(`${REVISIONS.text} WHERE id = ?`, { numbers: ["updatedAt"] });
const ROLES = rawQuery<{ orgId: string; userId: string; role: Role }>(`SELECT org_id AS "orgId", user_id AS "userId", role AS "role" FROM memberships`);

/** Every project's revision, by id. */
export async function projectRevisions(db: Db): Promise<Map<string, Revision>> {
  return new Map((await rawAll(db, REVISIONS)).map((r) => [r.id, r]));
}

/** One project's revision, or null when it is gone. */
export async function projectRevision(db: Db, projectId: string): Promise<Revision | null> {
  return await rawGet(db, REVISION, [projectId]);
}

/** Every member's role now, as a lookup (null: not a member). */
export async function rolesNow(db: Db): Promise<(orgId: string, userId: string) => Role | null> {
  const roles = new Map<string, Role>();
  for (const m of await rawAll(db, ROLES)) roles.set(`${m.orgId}|${m.userId}`, m.role);
  return (orgId, userId) => roles.get(`${orgId}|${userId}`) ?? null;
}
