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
import { projectRevision, projectRevisions, rolesNow, type Revision } from "../projects/revisions";

/** Anything holding notification streams for users whose role may change or whose credential may end (2025 sessions, 2026 listeners). */
interface RoleWatcher extends StreamHolder {
  checkRoles(roleOf: (orgId: string, userId: string) => Role | null): void;
}


/** Starts following the feed; returns a function that stops it. */
export function watchListChanged(deps: Pick<Deps, "db" | "bus" | "log" | "changes" | "clock">, watchers: RoleWatcher[]): () => void {
  const db = deps.db;
  const read = () => projectRevisions(db);
  // Reads are async, changes arrive one by one: they are handled in arrival order, one at a time, so a
  // later change never compares against revisions older than an earlier one's.
  let queue: Promise<void> = Promise.resolve();
  const inOrder = (what: string, step: () => Promise<void>) => {
    queue = queue.then(step).catch((err: unknown) => deps.log.error({ err }, what));
  };
  let known = new Map<string, Revision>();
  inOrder("list_changed watcher failed", async () => {
    known = await read();
  });
  // Changes announced in this process were sent by their service already: record them so the next
  // unannounced change does not announce them twice.
  // Not queued behind a slower look at everything: the service that emitted this is still running.
  const offLocal = deps.bus.on("toolsChanged", ({ projectId }) => {
    projectRevision(db, projectId).then(
      (row) => void (row && known.set(projectId, row)),
      (err: unknown) => deps.log.error({ err }, "list_changed watcher failed"),
    );
  });
  const onChange = async (change: Change) => {
    // What this process announced its services delivered already; anything else needs a look — another
    // process's commit (topics unknown) or another instance's announcement (topics known: Postgres).
    if (!change.here && concerns(change, "tools")) {
      // Let this turn's own writes finish and record their revisions first: a service writes, then emits,
      // and comparing between the two would send a second list_changed for its change. (On Postgres the
      // reads are I/O and that window can still open: a duplicate list_changed is harmless to a client.)
      await new Promise((resolve) => setImmediate(resolve));
      const current = await read();
      for (const [id, rev] of current) {
        const before = known.get(id);
        if (before?.updatedAt !== rev.updatedAt) deps.bus.emit("toolsChanged", { projectId: id, channel: "draft" });
        if ((before?.productionVersionId ?? null) !== rev.productionVersionId) deps.bus.emit("toolsChanged", { projectId: id, channel: "production" });
      }
      known = current;
    }
    if (concerns(change, "members") && watchers.length > 0) {
      // One read of all memberships per change (people, not requests: a small table) instead of one per session.
      const roles = await rolesNow(db);
      for (const w of watchers) w.checkRoles(roles);
    }
    if (concerns(change, "grants", "apikeys", "sessions")) await endRevokedStreams(db, watchers, deps.clock.now());
    if (concerns(change, "tools")) await endClosedToAnonymous(db, watchers);
  };
  const offFeed = deps.changes.subscribe((change) => inOrder("list_changed watcher failed", () => onChange(change)));
  // An API key can expire with no write at all: look once a minute.
  const expiry = setInterval(() => inOrder("stream credential check failed", () => endRevokedStreams(db, watchers, deps.clock.now())), 60_000);
  expiry.unref?.();
  return () => {
    clearInterval(expiry);
    offFeed();
    offLocal();
  };
}
