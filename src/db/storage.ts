/**
 * Picks the storage engine once, from the config (docs/architecture.md: Storage): SQLite in the data dir
 * by default, Postgres when `--database-url` / `PORTICO_DATABASE_URL` is set. Opens it, applies the
 * migrations embedded in this binary, and starts the change feed that engine needs. Nothing above this
 * file asks which engine it runs on, except through `db.engine` in the few places that must differ.
 */
import type { SQL } from "bun";
import type { Config } from "../config";
import type { ChangeFeed } from "../lib/change-feed";
import type { Logger } from "../lib/log";
import { migrate, openDb, type Db } from "./client";
import type { PgChangeFeed } from "./pg/change-feed";
import type { WriteAnnouncer } from "./pg/write-announcer";
import { SqliteChangeFeed } from "./sqlite-change-feed";

export interface Storage {
  db: Db;
  changes: ChangeFeed;
  /** Closes the feed, then the database (the feed reads through the connection). */
  close(): Promise<void>;
}

export async function openStorage(config: Pick<Config, "dataDir" | "databaseUrl">, opts: { db?: Db; now: number; log: Logger }): Promise<Storage> {
  // A subscriber's exception, or (Postgres) the first database failure of an outage.
  const onError = (err: unknown) => opts.log.error({ err }, "change feed: a subscriber or the database failed");
  if (!opts.db && config.databaseUrl) {
    // The Postgres engine is loaded only when configured: Bun's SQL client and the Postgres schema cost a
    // SQLite start ≈ 20 ms (docs/architecture.md: Measured facts).
    const [{ PgChangeFeed }, { openPgStorage }, { migratePg }, { writeAnnouncer }] = await Promise.all([
      import("./pg/change-feed"),
      import("./pg/client"),
      import("./pg/migrator"),
      import("./pg/write-announcer"),
    ]);
    let announcer: WriteAnnouncer | null = null;
    let feed: PgChangeFeed | null = null;
    // A connection the server closed (shutdown, crash, network) may have been the LISTEN one: the feed stops
    // vouching for its caches at once instead of after HEALTHY_MS (docs/architecture.md: "Postgres change feed").
    const db = openPgStorage(config.databaseUrl, { announcer: () => announcer, onclose: (err) => feed?.connectionLost(err) });
    const pool = db.$client as unknown as SQL;
    try {
      const { applied } = await migratePg(pool);
      if (applied.length) opts.log.info({ applied }, "database migrated");
      const changes = (feed = await PgChangeFeed.start(pool, { onError }));
      announcer = writeAnnouncer(changes);
      return {
        db,
        changes,
        async close() {
          await changes.close();
          await pool.close();
        },
      };
    } catch (err) {
      await pool.close();
      throw err;
    }
  }
  const db = opts.db ?? openDb(config.dataDir);
  const { backup } = migrate(db, { now: opts.now });
  if (backup) opts.log.info({ backup }, "database migrated; a copy from before the migration was kept");
  const changes = new SqliteChangeFeed(db.$client, { onError });
  return {
    db,
    changes,
    async close() {
      // The connection first: the feed's descriptor on the -shm must outlive SQLite's own locks on it.
      db.$client.close();
      changes.close();
    },
  };
}
