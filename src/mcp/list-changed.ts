/**
 * Sends `list_changed` for database changes this process did not announce: another process on the same
 * data (the CLI publishing or importing while the server runs) and role changes (a lowered role makes
 * tools disappear "with list_changed", docs/architecture.md "Change feed"). It subscribes to the change
 * feed; on a change that may concern tools or members, projects whose revision (`updated_at`, bumped by
 * every draft change) or production pin moved get `toolsChanged`, and open sessions whose user's role
 * moved get `list_changed`. Writes announced in this process reached the sessions through the bus already.
 * Changes to grants, API keys or sign-in sessions end the open streams whose credential no longer stands
 * (`stream-credentials.ts`), so a revocation by the CLI closes them too.
 */
import type { Deps } from "../deps";
import type { Role } from "../db/schema";
import { concerns, type Change } from "../lib/change-feed";
import { endClosedToAnonymous, endRevokedStreams, type StreamHolder } from "./stream-credentials";

/** Anything holding notification streams for users whose role may change or whose credential may end (2025 sessions, 2026 listeners). */
interface RoleWatcher extends StreamHolder {
  checkRoles(roleOf: (orgId: string, userId: string) => Role | null): void;
}

interface Revision {
  id: string;
  updatedAt: number;
  productionVersionId: string | null;
}

const REVISIONS_SQL = "SELECT id, updated_at AS updatedAt, production_version_id AS productionVersionId FROM projects";
const ROLES_SQL = "SELECT org_id AS orgId, user_id AS userId, role FROM memberships";

/** Starts following the feed; returns a function that stops it. */
export function watchListChanged(deps: Pick<Deps, "db" | "bus" | "log" | "changes" | "clock">, watchers: RoleWatcher[]): () => void {
  const sqlite = deps.db.$client;
  const read = () => new Map(sqlite.query<Revision, []>(REVISIONS_SQL).all().map((r) => [r.id, r]));
  // One read of all memberships per change (people, not requests: a small table) instead of one per session.
  const rolesNow = () => {
    const roles = new Map<string, Role>();
    for (const m of sqlite.query<{ orgId: string; userId: string; role: Role }, []>(ROLES_SQL).all()) roles.set(`${m.orgId}|${m.userId}`, m.role);
    return (orgId: string, userId: string) => roles.get(`${orgId}|${userId}`) ?? null;
  };
  let known = read();
  // Changes announced in this process were sent by their service already: record them so the next
  // unannounced change does not announce them twice.
  const offLocal = deps.bus.on("toolsChanged", ({ projectId }) => {
    const row = sqlite.query<Revision, [string]>(`${REVISIONS_SQL} WHERE id = ?`).get(projectId);
    if (row) known.set(projectId, row);
  });
  const onChange = (change: Change) => {
    // Exact topics name only what this process announced, and so already delivered; "anything" needs a look.
    if (!change.topics) {
      const current = read();
      for (const [id, rev] of current) {
        const before = known.get(id);
        if (before?.updatedAt !== rev.updatedAt) deps.bus.emit("toolsChanged", { projectId: id, channel: "draft" });
        if ((before?.productionVersionId ?? null) !== rev.productionVersionId) deps.bus.emit("toolsChanged", { projectId: id, channel: "production" });
      }
      known = current;
    }
    if (concerns(change, "members")) {
      let roles: ReturnType<typeof rolesNow> | null = null;
      for (const w of watchers) w.checkRoles((org, user) => (roles ??= rolesNow())(org, user));
    }
    if (concerns(change, "grants", "apikeys", "sessions")) endRevokedStreams(sqlite, watchers, deps.clock.now());
    if (concerns(change, "tools")) endClosedToAnonymous(sqlite, watchers);
  };
  const offFeed = deps.changes.subscribe((change) => {
    try {
      onChange(change);
    } catch (err) {
      deps.log.error({ err }, "list_changed watcher failed");
    }
  });
  // An API key can expire with no write at all: look once a minute.
  const expiry = setInterval(() => {
    try {
      endRevokedStreams(sqlite, watchers, deps.clock.now());
    } catch (err) {
      deps.log.error({ err }, "stream credential check failed");
    }
  }, 60_000);
  expiry.unref?.();
  return () => {
    clearInterval(expiry);
    offFeed();
    offLocal();
  };
}
