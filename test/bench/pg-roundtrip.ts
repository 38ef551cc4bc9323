/**
 * One Postgres round trip through Bun's SQL client, raw and through drizzle's bun-sql adapter, beside the
 * same primary-key read on SQLite — the floor under any per-request read the Postgres backend will add
 * (issue 15). Serial awaits on one connection: latency, not throughput. Best of 5 rounds of N calls.
 *   BENCH_DATABASE_URL=postgres://…/empty_db bun test/bench/pg-roundtrip.ts
 */
import { eq } from "drizzle-orm";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb } from "../../src/db/client";
import { openPg } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import * as pgSchema from "../../src/db/pg/schema";
import * as liteSchema from "../../src/db/schema";

const url = process.env.BENCH_DATABASE_URL;
if (!url) {
  console.error("set BENCH_DATABASE_URL to an empty Postgres database (it is migrated and one row is added)");
  process.exit(2);
}
const N = 2000;

async function time(name: string, fn: () => unknown): Promise<void> {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const start = performance.now();
    for (let i = 0; i < N; i++) await fn();
    if (r > 0) rounds.push(((performance.now() - start) / N) * 1000);
  }
  console.log(`${name.padEnd(48)} ${Math.min(...rounds).toFixed(1).padStart(7)} µs   (median round ${rounds.sort((a, b) => a - b)[2]!.toFixed(1)} µs)`);
}

const user = { id: "usr_bench", email: "bench@example.com", name: "bench", passwordHash: "x", createdAt: 1, passwordChangedAt: 1 };
const pg = openPg(url, { max: 1 });
await migratePg(pg.$client);
await pg.insert(pgSchema.users).values(user).onConflictDoNothing();
const lite = openDb(mkdtempSync(join(tmpdir(), "portico-bench-")));
migrate(lite);
lite.insert(liteSchema.users).values(user).run();

await time("postgres SELECT 1 (Bun SQL)", () => pg.$client`SELECT 1`);
await time("postgres users by id (Bun SQL)", () => pg.$client`SELECT * FROM users WHERE id = ${user.id}`);
await time("postgres users by id (drizzle bun-sql)", () => pg.select().from(pgSchema.users).where(eq(pgSchema.users.id, user.id)));
const prepared = pg.select().from(pgSchema.users).where(eq(pgSchema.users.id, user.id)).prepare("user_by_id");
await time("postgres users by id (drizzle, prepared)", () => prepared.execute());
await time("sqlite users by id (drizzle bun-sqlite)", () => lite.select().from(liteSchema.users).where(eq(liteSchema.users.id, user.id)).get());

await pg.$client.close();
lite.$client.close();
