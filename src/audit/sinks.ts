/**
 * Where the audit writer's batches go (src/audit/writer.ts), one sink per engine (docs/architecture.md:
 * Storage). Both write the same 27 columns of `audit_events`; the id comes from the database
 * (SQLite AUTOINCREMENT, Postgres identity: db/SCHEMA.md "Two dialects"). Both link each batch onto its
 * projects' audit chains (src/audit/chain.ts) inside the transaction that inserts it: the head is read and
 * advanced there, so writers on one database (instances, a CLI) never fork a chain.
 */
import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import type { AuditEvent } from "../db/schema";
import type { ChangeFeed } from "../lib/change-feed";
import { GENESIS, linkCallRows, projectChain, type ChainHead } from "./chain";

/** One audit row as the MCP layer hands it over (id assigned by the database; chain fields by the sink). */
export type AuditRow = Omit<AuditEvent, "id">;

/** Writes one batch, all or nothing: it throws (or rejects) and writes nothing when any row fails. */
export interface AuditSink {
  insert(rows: AuditRow[]): void | Promise<void>;
}

const COLUMNS = [
  ["project_id", "projectId"], ["time", "time"], ["channel", "channel"], ["principal", "principal"],
  ["user_id", "userId"], ["grant_id", "grantId"], ["client_id", "clientId"], ["api_key_id", "apiKeyId"],
  ["session_id", "sessionId"], ["method", "method"], ["tool", "tool"], ["version", "version"],
  ["input", "input"], ["output", "output"], ["status", "status"], ["error_class", "errorClass"],
  ["error", "error"], ["logs", "logs"], ["duration_ms", "durationMs"], ["host", "host"], ["ip", "ip"],
  ["protocol_version", "protocolVersion"], ["traceparent", "traceparent"], ["source", "source"],
  ["chain_seq", "chainSeq"], ["payload_hash", "payloadHash"], ["hash", "hash"],
] as const satisfies ReadonlyArray<readonly [string, keyof AuditRow]>;
const NAMES = COLUMNS.map((c) => c[0]).join(", ");
/** Values of NOT NULL columns with a default, bound when a row leaves them out (every column is bound explicitly). */
const DEFAULTS: Partial<Record<keyof AuditRow, unknown>> = { source: "mcp" };
const KEYS = COLUMNS.map(([, key]) => key);

/** Rows per multi-row INSERT on SQLite (27 columns × 40 rows stays under SQLite's 32,766 bound parameters). */
const SQLITE_CHUNK = 40;

/**
 * SQLite: prepared multi-row INSERTs in one synchronous transaction — binding and stepping once per
 * SQLITE_CHUNK rows (and once for the rest) costs far less than once per row (≥ 20,000 rows/s: `npm run bench`).
 */
export class SqliteAuditSink implements AuditSink {
  readonly insert: (rows: AuditRow[]) => void;

  /** `changes`: the feed whose `quietly` takes the commits, so they do not empty the read caches (issue 19). */
  constructor(sqlite: Database, changes?: Pick<ChangeFeed, "quietly">) {
    const insert = (rows: number) =>
      sqlite.prepare(`INSERT INTO audit_events (${NAMES}) VALUES ${Array(rows).fill(`(${COLUMNS.map(() => "?").join(", ")})`).join(", ")}`);
    // One statement per batch size up to SQLITE_CHUNK, prepared when first needed: a batch of n rows is one
    // execution, not n (measured: 9.6 → 8.1 µs of CPU a row for the ~17-row batches of durable group commit).
    const statements = new Map<number, ReturnType<typeof insert>>();
    const sized = (rows: number) => statements.get(rows) ?? statements.set(rows, insert(rows)).get(rows)!;
    const chunk = sized(SQLITE_CHUNK);
    const values = new Array<unknown>(KEYS.length * SQLITE_CHUNK);
    const fill = (rows: AuditRow[], from: number, count: number) => {
      for (let r = 0; r < count; r++) {
        const row = rows[from + r]!;
        for (let i = 0; i < KEYS.length; i++) values[r * KEYS.length + i] = row[KEYS[i]!] ?? DEFAULTS[KEYS[i]!] ?? null;
      }
    };
    const readHead = sqlite.prepare<{ seq: number; hash: string }, [string]>("SELECT seq, hash FROM audit_chains WHERE chain = ?");
    const writeHead = sqlite.prepare(
      "INSERT INTO audit_chains (chain, seq, hash, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at",
    );
    const link = (rows: AuditRow[]) => {
      for (const [projectId, ofProject] of byProject(rows)) {
        const chain = projectChain(projectId);
        const head = linkCallRows(readHead.get(chain) ?? { seq: 0, hash: GENESIS }, ofProject);
        writeHead.run(chain, head.seq, head.hash, ofProject[ofProject.length - 1]!.time);
      }
    };
    // IMMEDIATE: the chain heads are read and advanced under the write lock (another process may append too).
    const transaction = sqlite.transaction((rows: AuditRow[]) => {
      link(rows);
      let i = 0;
      for (; i + SQLITE_CHUNK <= rows.length; i += SQLITE_CHUNK) {
        fill(rows, i, SQLITE_CHUNK);
        chunk.run(...(values as never[]));
      }
      const rest = rows.length - i;
      if (rest > 0) {
        fill(rows, i, rest);
        sized(rest).run(...(values.slice(0, rest * KEYS.length) as never[]));
      }
    }).immediate;
    this.insert = changes ? (rows) => changes.quietly(() => transaction(rows)) : transaction;
  }
}

/** The batch's rows per project, each list in batch order (the order the chain takes). */
function byProject(rows: AuditRow[]): Map<string, AuditRow[]> {
  const groups = new Map<string, AuditRow[]>();
  for (const row of rows) {
    const list = groups.get(row.projectId);
    if (list) list.push(row);
    else groups.set(row.projectId, [row]);
  }
  return groups;
}

/**
 * Rows per Postgres INSERT: a batch is BATCH_ROWS (500) rows, one statement; a queue that grew while
 * Postgres was slow or down is split under the protocol's 65,535 bound parameters (27 × 2,000 = 54,000).
 */
const PG_CHUNK = 2000;

/**
 * Postgres: one transaction per batch on Bun's pool (`db.$client` of `openPgStorage`): the batch's chain
 * heads are created if new and locked (`FOR UPDATE`, in a fixed order so two instances never deadlock),
 * the rows linked and inserted (PG_CHUNK rows a statement), the heads advanced. A failed batch writes
 * nothing and is retried whole; a retried batch is linked again onto the heads as they are then.
 */
export class PgAuditSink implements AuditSink {
  constructor(private readonly sql: SQL) {}

  async insert(rows: AuditRow[]): Promise<void> {
    const groups = byProject(rows);
    const chains = [...groups.keys()].sort().map(projectChain);
    await this.sql.begin(async (tx) => {
      const now = rows[rows.length - 1]!.time;
      const list = chains.map((_, i) => `$${i + 1}`).join(", ");
      await tx.unsafe(
        `INSERT INTO audit_chains (chain, seq, hash, updated_at) SELECT c, 0, '${GENESIS}', ${Number(now)} FROM unnest(ARRAY[${list}]::text[]) AS c ON CONFLICT (chain) DO NOTHING`,
        chains,
      );
      const heads = new Map<string, ChainHead>();
      for (const r of (await tx.unsafe(`SELECT chain, seq, hash FROM audit_chains WHERE chain IN (${list}) ORDER BY chain FOR UPDATE`, chains)) as { chain: string; seq: string | number; hash: string }[]) {
        heads.set(r.chain, { seq: Number(r.seq), hash: r.hash });
      }
      for (const [projectId, ofProject] of groups) {
        const chain = projectChain(projectId);
        const head = linkCallRows(heads.get(chain)!, ofProject);
        await tx.unsafe("UPDATE audit_chains SET seq = $1, hash = $2, updated_at = $3 WHERE chain = $4", [head.seq, head.hash, ofProject[ofProject.length - 1]!.time, chain]);
      }
      for (let i = 0; i < rows.length; i += PG_CHUNK) await statement(tx, rows.slice(i, i + PG_CHUNK));
    });
  }
}

function statement(sql: SQL, rows: AuditRow[]): Promise<unknown> {
  const values = new Array<unknown>(rows.length * KEYS.length);
  const tuples = new Array<string>(rows.length);
  let n = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const slots = new Array<string>(KEYS.length);
    for (let i = 0; i < KEYS.length; i++) {
      values[n] = row[KEYS[i]!] ?? DEFAULTS[KEYS[i]!] ?? null;
      slots[i] = `$${++n}`;
    }
    tuples[r] = `(${slots.join(", ")})`;
  }
  return sql.unsafe(`INSERT INTO audit_events (${NAMES}) VALUES ${tuples.join(", ")}`, values);
}
