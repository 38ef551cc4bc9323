/**
 * A session store on a real, migrated SQLite database with two real projects (`shop`, `other`), as the app
 * builds it: the change feed, the MCP read cache and the event bus of real deps. A second store on the same
 * database stands for another instance.
 */
import { createDeps, shutdown, type Deps } from "../../src/deps";
import { ReadCache } from "../../src/mcp/read-cache";
import { SESSION_IDLE_MS, DEFAULT_MAX_STREAMS_PER_PROJECT, SessionStore } from "../../src/mcp/sessions";
import { seedWorld } from "../fixtures/world";
import { testConfig } from "../helpers";

export interface StoreWorld {
  deps: Deps;
  target: { orgId: string; projectId: string; channel: "production" };
  otherProjectId: string;
  store(idleMs?: number, maxStreamsPerProject?: number): SessionStore;
  /** A store of another instance: its own connection and change feed on the same data dir. */
  otherInstance(): Promise<SessionStore>;
  close(): Promise<void>;
}

export async function storeWorld(): Promise<StoreWorld> {
  const deps = await createDeps(testConfig());
  const world = await seedWorld(deps, { sessions: false, projects: [{ slug: "shop" }, { slug: "other" }] });
  const stores: SessionStore[] = [];
  const others: Deps[] = [];
  return {
    deps,
    target: { orgId: world.org.id, projectId: world.project.id, channel: "production" },
    otherProjectId: world.projects.other!.id,
    store: (idleMs = SESSION_IDLE_MS, max = DEFAULT_MAX_STREAMS_PER_PROJECT) => {
      const store = new SessionStore(deps, new ReadCache(deps.changes), idleMs, max);
      stores.push(store);
      return store;
    },
    otherInstance: async () => {
      const other = await createDeps(deps.config);
      others.push(other);
      const store = new SessionStore(other, new ReadCache(other.changes));
      stores.push(store);
      return store;
    },
    close: async () => {
      for (const s of stores) s.close();
      for (const o of others) await shutdown(o);
      await shutdown(deps);
    },
  };
}
