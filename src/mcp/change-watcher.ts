/**
 * Notices database changes the services did not announce: another process on the same SQLite file (the
 * CLI publishing or importing while the server runs, DESIGN: CLI) and role changes (DESIGN: Roles — a
 * lowered role makes tools disappear "with list_changed"). `PRAGMA data_version` moves when another
 * connection commits and `total_changes()` when this one does, so an idle poll costs microseconds. On a
 * change, projects whose revision (`updated_at`, bumped by every draft change) or production pin moved
 * get `toolsChanged`, and open sessions whose user's role moved get `list_changed`.
 */
import type { Deps } from "../deps";
import type { Role } from "../db/schema";
import type { SessionStore } from "./sessions";

export const WATCH_INTERVAL_MS = 500;

interface Revision {
  id: string;
  updatedAt: number;
  productionVersionId: string | null;
}

const REVISIONS_SQL = "SELECT id, updated_at AS updatedAt, production_version_id AS productionVersionId FROM projects";
const ROLES_SQL = "SELECT org_id AS orgId, user_id AS userId, role FROM memberships";

/** Starts polling; returns a function that stops it. */
export function watchChanges(deps: Pick<Deps, "db" | "bus" | "log">, sessions: SessionStore, intervalMs = WATCH_INTERVAL_MS): () => void {
  const sqlite = deps.db.$client;
  const dataVersion = () => sqlite.query<{ data_version: number }, []>("PRAGMA data_version").get()!.data_version;
  const ownChanges = () => sqlite.query<{ n: number }, []>("SELECT total_changes() AS n").get()!.n;
  const read = () => new Map(sqlite.query<Revision, []>(REVISIONS_SQL).all().map((r) => [r.id, r]));
  // One read of all memberships per change (people, not requests: a small table) instead of one per session.
  const rolesNow = () => {
    const roles = new Map<string, Role>();
    for (const m of sqlite.query<{ orgId: string; userId: string; role: Role }, []>(ROLES_SQL).all()) roles.set(`${m.orgId}|${m.userId}`, m.role);
    return (orgId: string, userId: string) => roles.get(`${orgId}|${userId}`) ?? null;
  };
  let external = dataVersion();
  let own = ownChanges();
  let known = read();
  // Changes made through this process's own connection are announced by their service already:
  // record them so the next external change does not announce them twice.
  const offLocal = deps.bus.on("toolsChanged", ({ projectId }) => {
    const row = sqlite.query<Revision, [string]>(`${REVISIONS_SQL} WHERE id = ?`).get(projectId);
    if (row) known.set(projectId, row);
  });
  const timer = setInterval(() => {
    try {
      const nowExternal = dataVersion();
      const nowOwn = ownChanges();
      if (nowExternal === external && nowOwn === own) return;
      own = nowOwn;
      if (nowExternal !== external) {
        external = nowExternal;
        const current = read();
        for (const [id, rev] of current) {
          const before = known.get(id);
          if (before?.updatedAt !== rev.updatedAt) deps.bus.emit("toolsChanged", { projectId: id, channel: "draft" });
          if ((before?.productionVersionId ?? null) !== rev.productionVersionId) deps.bus.emit("toolsChanged", { projectId: id, channel: "production" });
        }
        known = current;
      }
      if (sessions.streamCount > 0) sessions.checkRoles(rolesNow());
    } catch (err) {
      deps.log.error({ err }, "change watcher failed");
    }
  }, intervalMs);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    offLocal();
  };
}
