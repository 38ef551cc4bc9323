/**
 * The Postgres change feed's costs (issue 15; docs/architecture.md: Measured facts): announce→ack latency
 * of `announceAndWait` with 2 and 4 instances (this process + 1 or 3 child processes, each a real feed on
 * its own connections), p50/p99 over serial waits; and `version()` per call (a field read), beside the
 * SQLite feed's wal-index read.
 *   BENCH_DATABASE_URL=postgres://…/empty_db bun test/bench/pg-change-feed.ts
 */
import { SQL } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb } from "../../src/db/client";
import { PgChangeFeed } from "../../src/db/pg/change-feed";
import { migratePg } from "../../src/db/pg/migrator";
import { SqliteChangeFeed } from "../../src/db/sqlite-change-feed";
import { FeedProcess } from "../db/pg-feed-process";

const url = process.env.BENCH_DATABASE_URL;
if (!url) {
  console.error("set BENCH_DATABASE_URL to an empty Postgres database (it is migrated; the feed adds rows)");
  process.exit(2);
}
const WAITS = Number(process.env.BENCH_WAITS ?? 300);

const sql = new SQL(url, { max: 4 });
await migratePg(sql);
const feed = await PgChangeFeed.start(sql);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function latency(instances: number): Promise<void> {
  const children = await Promise.all(Array.from({ length: instances - 1 }, () => new FeedProcess(url!).ready()));
  // The children registered; let a heartbeat pass so every row is settled.
  await Bun.sleep(1200);
  for (let i = 0; i < 20; i++) await feed.announceAndWait(["grants"], 5000);
  const times: number[] = [];
  for (let i = 0; i < WAITS; i++) {
    const start = performance.now();
    await feed.announceAndWait(["grants"], 5000);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`announceAndWait, ${instances} instances`.padEnd(40), `p50 ${pct(times, 50).toFixed(2)} ms   p99 ${pct(times, 99).toFixed(2)} ms   max ${times.at(-1)!.toFixed(2)} ms`);
  await Promise.all(children.map((c) => c.exit()));
}

function perCall(name: string, fn: () => number): void {
  const N = 10_000_000;
  let sink = 0;
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    for (let i = 0; i < N; i++) sink += fn();
    best = Math.min(best, ((performance.now() - start) / N) * 1e6);
  }
  console.log(name.padEnd(40), `${best.toFixed(1)} ns per call`, sink > 0 ? "" : " ");
}

await latency(2);
await latency(4);
perCall("PgChangeFeed.version()", () => feed.version());
const lite = openDb(mkdtempSync(join(tmpdir(), "portico-bench-")));
migrate(lite);
const liteFeed = new SqliteChangeFeed(lite.$client);
perCall("SqliteChangeFeed.version() (wal-index)", () => liteFeed.version());
liteFeed.close();
await feed.close();
await sql.close();
process.exit(0);
