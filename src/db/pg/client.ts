/**
 * A Postgres database through Bun's built-in SQL client and drizzle's `bun-sql` adapter. Bun's client is
 * part of the runtime the single binary already ships (no driver package, no native addon), pools
 * connections, and reads `bytea` as a Buffer and `boolean` as a boolean — the values the SQLite schema
 * gives (src/db/pg/columns.ts).
 */
import { SQL } from "bun";
import { drizzle, type BunSQLDatabase } from "drizzle-orm/bun-sql";
import type { Db } from "../client";
import { announcingClient, setAnnouncer, type WriteAnnouncer } from "./write-announcer";
import * as schema from "./schema";

export type PgDb = BunSQLDatabase<typeof schema> & { $client: SQL };

export { isPostgresUrl } from "../../lib/database-url";

/**
 * The same pool as a storage handle for the services (`Db`): drizzle's Postgres builder with the Postgres
 * tables, typed as the SQLite handle whose tables have the same names, columns and row types
 * (docs/architecture.md: Storage). Only what both builders share may be used through it.
 */
export function openPgStorage(
  url: string,
  opts: { max?: number; announcer?: () => WriteAnnouncer | null; onclose?: (err: Error | null) => void } = {},
): Db {
  // `onclose` runs for every pooled connection and the LISTEN connection that closes or fails to connect.
  const client = new SQL(url, { max: opts.max ?? 10, ...(opts.onclose ? { onclose: opts.onclose } : {}) });
  const announcer = opts.announcer;
  // drizzle runs on a pool whose writes are announced; `$client` stays the plain pool (raw SQL, LISTEN, close).
  const db = drizzle({ client: announcer ? announcingClient(client, announcer) : client, schema });
  if (announcer) setAnnouncer(db, announcer);
  return Object.assign(db, { $client: client, t: schema, engine: "postgres" as const }) as unknown as Db;
}

/** Opens a pool on `url` (lazily: the first query connects). Close with `db.$client.close()`. */
export function openPg(url: string, opts: { max?: number } = {}): PgDb {
  const client = new SQL(url, { max: opts.max ?? 10 });
  return drizzle({ client, schema }) as PgDb;
}
