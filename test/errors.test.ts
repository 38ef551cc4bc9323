/**
 * `knownError` on the errors Bun's Postgres client really throws when the database goes away (issue 15:
 * "stopping Postgres under load yields only 503s"), measured on `pg_ctl stop -m fast`: a pooled connection
 * the server terminated answers ERR_POSTGRES_SERVER_ERROR with SQLSTATE 57P01 in `errno`, and every
 * connection attempt after that ERR_POSTGRES_CONNECTION_REFUSED. Both are 503 storage_unavailable, bare or
 * wrapped by drizzle as `cause`; a query error is not.
 */
import { expect, test } from "bun:test";
import { SQL } from "bun";
import { createServer } from "node:net";
import { knownError, StorageUnavailableError } from "../src/errors";
import { describePostgres } from "./fixtures/postgres";

const quiet = { error() {} };

/** What `fn` rejects with. */
async function thrown(fn: () => Promise<unknown>): Promise<Error & { code?: string; errno?: string }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string; errno?: string };
  }
  throw new Error("did not throw");
}

/** A loopback port with nothing listening. */
function closedPort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

test("a refused connection (the database is down) is a 503 storage_unavailable, bare or as a cause", async () => {
  const sql = new SQL(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`, { max: 1, connectionTimeout: 2 });
  const err = await thrown(() => sql`SELECT 1`);
  await sql.close();
  expect(err.code).toBe("ERR_POSTGRES_CONNECTION_REFUSED");
  expect(knownError(err, quiet)).toBeInstanceOf(StorageUnavailableError);
  expect(knownError(new Error("Failed query: select 1", { cause: err }), quiet)?.status).toBe(503);
});

describePostgres("knownError on a real server", (pg) => {
  test("a connection the server terminated (57P01, as on shutdown) is a 503; a syntax error is not known", async () => {
    const sql = new SQL(pg.url, { max: 1 });
    const admin = new SQL(pg.url, { max: 1 });
    try {
      const [{ pid }] = (await sql`SELECT pg_backend_pid() AS pid`) as Array<{ pid: number }>;
      // Terminated while a query is in flight, as a shutdown meets a busy pool (a query sent after the
      // termination may instead meet a fresh connection).
      const inFlight = thrown(() => sql`SELECT pg_sleep(10)`);
      await Bun.sleep(100);
      await admin`SELECT pg_terminate_backend(${pid})`;
      const err = await inFlight;
      expect([err.code, err.errno]).toEqual(["ERR_POSTGRES_SERVER_ERROR", "57P01"]);
      expect(knownError(err, quiet)?.status).toBe(503);
      const syntax = await thrown(() => admin.unsafe("SELEC 1"));
      expect(knownError(syntax, quiet)).toBeNull();
    } finally {
      await sql.close();
      await admin.close();
    }
  });
});
