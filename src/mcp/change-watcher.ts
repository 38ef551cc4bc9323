/**
 * Notices changes written by another process on the same SQLite file — the CLI publishing or importing
 * while the server runs (DESIGN: CLI). `PRAGMA data_version` changes only when another connection
 * commits, so polling it is nearly free; when it moves, projects whose revision (`updated_at`, bumped
 * by every draft change) or production pin moved get `toolsChanged`, which sends `list_changed`.
 */
import type { Deps } from "../deps";

export const WATCH_INTERVAL_MS = 500;

interface Revision {
  id: string;
  updatedAt: number;
  productionVersionId: string | null;
}

const REVISIONS_SQL = "SELECT id, updated_at AS updatedAt, production_version_id AS productionVersionId FROM projects";

/** Starts polling; returns a function that stops it. */
export function watchExternalChanges(deps: Pick<Deps, "db" | "bus" | "log">, intervalMs = WATCH_INTERVAL_MS): () => void {
  const sqlite = deps.db.$client;
  const dataVersion = () => (sqlite.query("PRAGMA data_version").get() as { data_version: number }).data_version;
  const read = () => new Map(sqlite.query<Revision, []>(REVISIONS_SQL).all().map((r) => [r.id, r]));
  let version = dataVersion();
  let known = read();
  // Changes made through this process's own connection are announced by their service already:
  // record them so the next external change does not announce them twice.
  const offLocal = deps.bus.on("toolsChanged", ({ projectId }) => {
    const row = sqlite.query<Revision, [string]>(`${REVISIONS_SQL} WHERE id = ?`).get(projectId);
    if (row) known.set(projectId, row);
  });
  const timer = setInterval(() => {
    try {
      const now = dataVersion();
      if (now === version) return;
      version = now;
      const current = read();
      for (const [id, rev] of current) {
        const before = known.get(id);
        if (before?.updatedAt !== rev.updatedAt) deps.bus.emit("toolsChanged", { projectId: id, channel: "draft" });
        if ((before?.productionVersionId ?? null) !== rev.productionVersionId) deps.bus.emit("toolsChanged", { projectId: id, channel: "production" });
      }
      known = current;
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
