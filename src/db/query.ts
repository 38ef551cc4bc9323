/**
 * Dialect-neutral ways to finish a query (docs/architecture.md: Storage). Services await drizzle's query
 * builders, which run on SQLite and on Postgres alike; SQLite-only terminals (`.get()`, `.all()`, `.run()`)
 * would tie a service to one engine.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Db } from "./client";
import { transactionCommitted } from "./pg/write-announcer";

/** The first row of a query, or undefined: what SQLite's `.get()` gives, on either engine. */
export async function first<T>(query: PromiseLike<T[]>): Promise<T | undefined> {
  return (await query)[0];
}

/**
 * Runs `body` in one transaction and returns its result; a throw rolls everything back.
 *
 * SQLite has one connection per process, shared by every request: BEGIN IMMEDIATE takes the write lock up
 * front (two processes never deadlock upgrading a read lock), and transactions of concurrent requests take
 * turns (a queue per database) instead of nesting into each other. A call made inside `body` (the same
 * async context) nests as a savepoint. The body should await only storage: on SQLite that completes within
 * the current turn of the event loop; a body that awaits anything else (a network call, a password hash
 * on a worker) is rolled back with an error rather than holding the write lock across I/O.
 */
export async function transaction<T>(db: Db, body: (tx: Db) => Promise<T>): Promise<T> {
  // Postgres: drizzle's own transaction holds one pooled connection for the body (a nested call is a
  // savepoint there too); the body gets the same tables.
  if (db.engine === "postgres") {
    const pg = db as unknown as { transaction<R>(fn: (tx: object) => Promise<R>): Promise<R> };
    const result = await pg.transaction((tx) => body(Object.assign(tx, { t: db.t, engine: db.engine, $client: db.$client }) as unknown as Db));
    await transactionCommitted(db);
    return result;
  }
  const client = db.$client;
  const state = txState(client);
  // Inside a transaction of this connection that is still open: a savepoint. The context outlives the
  // transaction in timers and callbacks created inside it, hence the `open` flag, not just the context.
  if (state.owner.getStore()?.open && client.inTransaction) return savepoint(client, db, body);
  const previous = state.tail;
  let done!: () => void;
  state.tail = new Promise<void>((resolve) => (done = resolve));
  await previous;
  const scope = { open: true };
  try {
    return await state.owner.run(scope, async () => {
      client.run("BEGIN IMMEDIATE");
      let turned = false;
      const tripwire = setImmediate(() => (turned = true));
      try {
        const result = await body(db);
        if (turned) throw new Error("a storage transaction awaited something other than storage; it was rolled back");
        client.run("COMMIT");
        return result;
      } catch (err) {
        if (client.inTransaction) client.run("ROLLBACK");
        throw err;
      } finally {
        clearImmediate(tripwire);
      }
    });
  } finally {
    scope.open = false;
    done();
  }
}

async function savepoint<T>(client: Db["$client"], db: Db, body: (tx: Db) => Promise<T>): Promise<T> {
  const name = `portico_sp_${++savepoints}`;
  client.run(`SAVEPOINT ${name}`);
  try {
    const result = await body(db);
    client.run(`RELEASE ${name}`);
    return result;
  } catch (err) {
    client.run(`ROLLBACK TO ${name}`);
    client.run(`RELEASE ${name}`);
    throw err;
  }
}

interface TxState {
  /** Resolves when the last queued transaction ends. */
  tail: Promise<void>;
  /** The transaction of this connection the current async context is inside, while it is open. */
  owner: AsyncLocalStorage<{ open: boolean }>;
}
const states = new WeakMap<Db["$client"], TxState>();
function txState(client: Db["$client"]): TxState {
  let state = states.get(client);
  if (!state) states.set(client, (state = { tail: Promise.resolve(), owner: new AsyncLocalStorage() }));
  return state;
}
let savepoints = 0;

/**
 * SQL for "one past `column`, or `now` if that is later": a version stamp that always moves forward even
 * when the clock does not (two writes in one millisecond). Portable: SQLite's scalar max() and Postgres'
 * greatest() are spelled differently.
 */
export function laterThan(column: SQLWrapper, now: number): SQL {
  return sql`CASE WHEN ${column} + 1 > ${now} THEN ${column} + 1 ELSE ${now} END`;
}
