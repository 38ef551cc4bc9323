/**
 * The Postgres pass of `npm run bench` (issue 15): `BENCH_DATABASE_URL` names a server (any database on it
 * the user may connect to and run CREATE DATABASE from); the bench creates a fresh, empty database
 * `portico_bench_<ts>` there, provisions and serves with `--database-url` pointing at it, reads the audit rows
 * from it, and drops it afterwards. When the server is on this machine, the CPU time of the Postgres
 * backends serving that database is read from /proc as well (what SQLite does inside the server process).
 */
import { SQL } from "bun";
import { existsSync, readFileSync } from "node:fs";
import { cpuSeconds } from "./processes";

export interface BenchDatabase {
  /** The fresh database's URL (what `--database-url` gets). */
  url: string;
  name: string;
  /** Audit rows so far: all of them, and those with status 'error'. */
  auditCounts(): Promise<{ n: number; errors: number }>;
  /**
   * CPU seconds of each Postgres backend connected to this database (this bench's own reader excluded),
   * by pid, or null when they are not processes of this machine (a remote server).
   */
  backendCpu(): Promise<Map<number, number> | null>;
  /** Closes the reader and drops the database (WITH (FORCE): a server that did not stop cleanly still holds connections). */
  drop(): Promise<void>;
}

/** CPU seconds the backends used between two `backendCpu()` readings (one that ended in between is not counted). */
export function backendCpuDelta(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `portico_bench_${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${process.pid}`;
  const admin = new SQL(serverUrl, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const reader = new SQL(url, { max: 1 });
  const [{ pid: readerPid }] = (await reader`SELECT pg_backend_pid() AS pid`) as Array<{ pid: number }>;
  return {
    url,
    name,
    async auditCounts() {
      const [row] = (await reader`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'error')::int AS errors FROM audit_events`) as Array<{ n: number; errors: number }>;
      return row!;
    },
    async backendCpu() {
      const rows = (await reader`SELECT pid FROM pg_stat_activity WHERE datname = ${name} AND pid <> ${readerPid}`) as Array<{ pid: number }>;
      const local = (pid: number) => existsSync(`/proc/${pid}/comm`) && readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
      if (!rows.length || !rows.every((r) => local(r.pid))) return null;
      const cpu = new Map<number, number>();
      for (const { pid } of rows) {
        try {
          cpu.set(pid, cpuSeconds(pid));
        } catch {
          // the backend ended between the query and the read
        }
      }
      return cpu;
    },
    async drop() {
      await reader.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
