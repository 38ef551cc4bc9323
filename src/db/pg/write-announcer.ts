/**
 * On Postgres nothing tells an instance that another one wrote (SQLite's wal-index does that for free), so
 * every write the services make through the Postgres handle is announced on the change feed once it is
 * committed (docs/architecture.md: "Postgres change feed"): a statement on its own when it returns, the
 * statements of a `transaction()` when it commits. The promise of that write resolves only after every
 * live instance has applied the change (`announceAndWait`), so "acknowledged by any instance ⇒ enforced by
 * every instance on its next request" holds for revocations, sign-outs, member removal, role changes, key
 * retirement and publishes alike, without each service having to remember it. If the other instances do
 * not confirm in time, or Postgres cannot be reached, the write stays committed and the call fails with
 * `ChangeUnconfirmedError` (503 change_unconfirmed): the caller must not report it as enforced everywhere.
 *
 * Bookkeeping writes on the request path (a grant's or sign-in session's last-use stamp, handshake events)
 * are announced without waiting: nothing is revoked by them, and waiting would put a round trip to every
 * instance on an MCP call once a minute per credential. Raw SQL through `db.$client` (audit rows, rate
 * limits, MCP session rows, API key last-use stamps) is not announced: no cache holds those.
 */
import type { SQL } from "bun";
import { TOPICS, type ChangeFeed, type Topic } from "../../lib/change-feed";

/** How long a write waits for every live instance to apply it. Liveness is judged over 5 s (LIVE_MS). */
export const WRITE_CONFIRM_MS = 6000;

const WRITE = /^\s*(insert\s+into|update|delete\s+from)\s+"(\w+)"/i;
/** Columns whose update is bookkeeping (drizzle writes `update "t" set "a" = $1, "b" = $2 where …`). */
const STAMPS: Record<string, ReadonlySet<string>> = {
  grants: new Set(["last_used_at", "protocol_version"]),
  sessions: new Set(["last_seen_at"]),
};

/** Which areas a table's rows belong to; a table not listed may concern anything. */
const TABLE_TOPICS: Record<string, readonly Topic[]> = {
  grants: ["grants"],
  sessions: ["sessions"],
  api_keys: ["apikeys"],
  memberships: ["members"],
  signing_keys: ["keys"],
  projects: ["tools"],
  tools: ["tools"],
  prompts: ["tools"],
  versions: ["tools"],
  releases: ["tools"],
  tool_secrets: ["tools"],
};

/** What a statement's commit must do: nothing (a read), announce, or announce and wait. */
export function writeKind(query: string): { topics: readonly Topic[]; wait: boolean } | null {
  const m = WRITE.exec(query);
  if (!m) return null;
  const table = m[2]!;
  const topics = TABLE_TOPICS[table] ?? TOPICS;
  if (table === "handshake_events") return null; // read fresh by the pages, cached nowhere
  const stamps = STAMPS[table];
  if (stamps && /^update$/i.test(m[1]!)) {
    const set = /\sset\s+(.*?)\s+where\s/is.exec(query)?.[1] ?? "";
    const columns = [...set.matchAll(/"(\w+)"\s*=/g)].map((c) => c[1]!);
    if (columns.length > 0 && columns.every((c) => stamps.has(c))) return { topics, wait: false };
  }
  return { topics, wait: true };
}

export interface WriteAnnouncer {
  /** After a statement or transaction committed: announce `topics`, and wait for the instances if asked. */
  committed(topics: Iterable<Topic>, wait: boolean): Promise<void>;
}

export function writeAnnouncer(feed: ChangeFeed, confirmMs = WRITE_CONFIRM_MS): WriteAnnouncer {
  return {
    async committed(topics, wait) {
      if (wait) await feed.announceAndWait(topics, confirmMs);
      else feed.announce(topics);
    },
  };
}

/**
 * The pool drizzle runs on, with every write statement announced after it returns (statements inside a
 * transaction run on the transaction's own connection object and are announced by `transaction()`).
 */
export function announcingClient(sql: SQL, announcer: () => WriteAnnouncer | null): SQL {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop !== "unsafe") {
        const value = Reflect.get(target, prop, receiver);
        // Bun's SQL methods expect the pool itself as `this`.
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (query: string, params?: unknown[]) => {
        const q = target.unsafe(query, params);
        const kind = writeKind(query);
        const a = kind ? announcer() : null;
        if (!kind || !a) return q;
        const after = async <T>(run: PromiseLike<T>): Promise<T> => {
          const result = await run;
          await a.committed(kind.topics, kind.wait);
          return result;
        };
        return {
          then: (ok?: (v: unknown) => unknown, fail?: (e: unknown) => unknown) => after(q).then(ok, fail),
          values: () => after(q.values()),
        };
      };
    },
  });
}

/** The announcer of each Postgres storage handle (set by `openPgStorage`), for `transaction()`'s commit. */
const announcers = new WeakMap<object, () => WriteAnnouncer | null>();

export function setAnnouncer(db: object, announcer: () => WriteAnnouncer | null): void {
  announcers.set(db, announcer);
}

/** After a transaction on `db` committed: it may have written anything, so announce everything and wait. */
export async function transactionCommitted(db: object): Promise<void> {
  await announcers.get(db)?.()?.committed(TOPICS, true);
}
