/**
 * Child process for test/db/wal-index-locks.test.ts: opens the data dir's database the way the server does,
 * with the change feed watching the wal-index, and writes and reads `version()` in a loop for `ms`.
 * Exits 0 when it survives; a SIGBUS kills it with a signal.
 */
import { migrate, openDb } from "../../src/db/client";
import { SqliteChangeFeed } from "../../src/db/sqlite-change-feed";

const [dataDir, ms] = [process.argv[2]!, Number(process.argv[3] ?? 3000)];
const db = openDb(dataDir);
migrate(db);
const feed = new SqliteChangeFeed(db.$client);
const insert = db.$client.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
const until = Date.now() + ms;
let i = 0;
console.log("ready");
while (Date.now() < until) {
  insert.run(`k${i % 50}`, String(i));
  feed.version();
  i++;
  if (i % 200 === 0) await Bun.sleep(1);
}
db.$client.close();
feed.close();
console.log(`wrote ${i}`);
