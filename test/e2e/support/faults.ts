/**
 * One fault round: a real `portico serve` on a fixed port takes a mixed load of calls and revocations and
 * is stopped mid-load by a signal (SIGKILL or SIGTERM). Afterwards the books are checked against the data
 * dir: SQLite's integrity, the audit rows of acknowledged calls (and the age of any that were lost), and
 * — on a restart on the same data dir and port — that every acknowledged revocation still holds.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { call, isRefused, newBooks, revoke, runWorkers, type Books, type Credential, type Target } from "./load";
import { serve, type ServeChild } from "./portico";

export const DB_FILE = "portico.db";

/** Lost audit rows must have been acknowledged within one flush interval of the kill, plus scheduling slack on a busy 2-core box. */
export const LOSS_WINDOW_SLACK_MS = 200;

export interface RoundResult {
  books: Books;
  /** Date.now() when the signal was sent. */
  signalledAt: number;
  exitCode: number;
  integrity: string;
  /** Acknowledged calls without an audit row. */
  lost: number;
  /** For lost rows: how long before the signal the oldest one was acknowledged (ms; 0 when none was lost). */
  lostWindowMs: number;
  auditRows: number;
}

export const serveFlags = (port: number) => ["--port", String(port), "--principal-rate-limit", "10000000"];

/** Runs load on a started server for `loadMs`, then sends `signal` while the load is still running. */
export async function loadAndSignal(server: ServeChild, t: Target, creds: Credential[], opts: { loadMs: number; signal: "SIGKILL" | "SIGTERM"; workers?: number }): Promise<RoundResult> {
  const books = newBooks();
  let stop = false;
  const live = () => creds.filter((c) => !c.revoked);
  const callers = runWorkers(opts.workers ?? 8, () => stop, async (w) => {
    const pool = live();
    const c = w === 0 || pool.length === 0 ? null : pool[Math.floor(Math.random() * pool.length)]!;
    await call(t, books, c ? c.bearer : t.ownerKey, "m", w % 4 === 3 ? "echo" : "card");
  });
  const revoker = runWorkers(1, () => stop, async () => {
    const next = live()[0];
    if (next) await revoke(t, books, next);
    await Bun.sleep(40);
  });
  await Bun.sleep(opts.loadMs);
  const signalledAt = Date.now();
  server.proc.kill(opts.signal);
  // Keep the load on while the process goes down: its last answers race the signal, as in production.
  const exitCode = await server.proc.exited;
  stop = true;
  await Promise.all([callers, revoker]);
  return { books, signalledAt, exitCode, ...audit(server, books, signalledAt) };
}

/** Integrity and the audit accounting of one stopped server's data dir. */
function audit(server: ServeChild, books: Books, signalledAt: number) {
  const db = new Database(join(dataDirOf(server), DB_FILE));
  try {
    const integrity = (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
    const rows = db.query("SELECT json_extract(input, '$.text') AS m FROM audit_events WHERE method = 'tools/call'").all() as { m: string }[];
    const audited = new Set(rows.map((r) => r.m));
    const lostAt = [...books.acknowledged].filter(([m]) => !audited.has(m)).map(([, at]) => at);
    return { integrity, lost: lostAt.length, lostWindowMs: lostAt.length ? signalledAt - Math.min(...lostAt) : 0, auditRows: rows.length };
  } finally {
    db.close();
  }
}

const dataDirs = new WeakMap<ServeChild, string>();
function dataDirOf(server: ServeChild): string {
  return dataDirs.get(server)!;
}

/** `serve` that remembers its data dir for the accounting above. */
export async function serveOn(dataDir: string, port: number, extra: string[] = []): Promise<ServeChild> {
  const server = await serve(dataDir, [...serveFlags(port), ...extra]);
  dataDirs.set(server, dataDir);
  return server;
}

/** Every credential whose revocation was acknowledged is refused; returns the ones that are not. */
export async function revocationsNotHeld(t: Target, books: Books): Promise<Credential[]> {
  const held = await Promise.all(books.revoked.map(async (c) => ((await isRefused(t, c)) ? null : c)));
  return held.filter((c): c is Credential => c !== null);
}
