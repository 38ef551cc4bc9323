/**
 * The `mcp_sessions` rows (db/SCHEMA.md): the SQL the session store runs. Rows are shared by every instance
 * on the database, so a 2025 client's next request may land on any of them (docs/architecture.md: Change
 * feed, "Several instances"); only what is a connection — an open GET stream — stays with the instance that
 * accepted it.
 *
 * One interface, one implementation per engine (docs/architecture.md: Storage): SQLite's here, each
 * statement prepared once by bun:sqlite's statement cache (its promises resolve at once: the work is done
 * when the call returns); Postgres' in src/mcp/session-rows-pg.ts, the same statements with numbered
 * parameters.
 */
import type { Database } from "bun:sqlite";
import type { Channel, Role } from "../db/schema";

export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One session as every instance sees it. */
export interface McpSession {
  id: string;
  credential: string;
  projectId: string;
  channel: Channel;
  protocolVersion: string;
  clientInfo: { name: string; version: string } | null;
  /** The capabilities the client declared in initialize (elicitation, sampling, roots …). */
  clientCapabilities: Record<string, unknown>;
  /** Minimum level of `notifications/message` the client asked for (logging/setLevel). */
  logLevel: LogLevel;
  grantId: string | null;
  apiKeyId: string | null;
  /** The acting user and the role their tool list was built for (null: anonymous). */
  userId: string | null;
  orgId: string;
  role: Role | null;
  loginSessionId: string | null;
  lastSeen: number;
}

export type Raw = Omit<McpSession, "clientInfo" | "clientCapabilities"> & { clientInfo: string | null; clientCapabilities: string };

const COLUMNS = `id, credential, project_id AS projectId, channel, protocol_version AS protocolVersion, client_info AS clientInfo,
  client_capabilities AS clientCapabilities, log_level AS logLevel, grant_id AS grantId, api_key_id AS apiKeyId, user_id AS userId,
  org_id AS orgId, role, login_session_id AS loginSessionId, last_seen_at AS lastSeen`;

const SQL = {
  insert: `INSERT INTO mcp_sessions (id, credential, org_id, project_id, channel, protocol_version, client_info, client_capabilities,
    log_level, grant_id, api_key_id, login_session_id, user_id, role, created_at, last_seen_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  get: `SELECT ${COLUMNS} FROM mcp_sessions WHERE id = ?`,
  touch: "UPDATE mcp_sessions SET last_seen_at = ? WHERE id = ?",
  logLevel: "UPDATE mcp_sessions SET log_level = ? WHERE id = ?",
  delete: "DELETE FROM mcp_sessions WHERE id = ?",
  count: "SELECT count(*) AS n FROM mcp_sessions",
  oldest: "SELECT id FROM mcp_sessions ORDER BY last_seen_at LIMIT ?",
  expired: "DELETE FROM mcp_sessions WHERE last_seen_at < ?",
} as const;

/** The credential columns a revocation ends sessions by. */
export type CredentialColumn = "grantId" | "apiKeyId" | "loginSessionId";

const BY_CREDENTIAL: Record<CredentialColumn, string> = {
  grantId: "DELETE FROM mcp_sessions WHERE grant_id = ? RETURNING id",
  apiKeyId: "DELETE FROM mcp_sessions WHERE api_key_id = ? RETURNING id",
  loginSessionId: "DELETE FROM mcp_sessions WHERE login_session_id = ? RETURNING id",
};

/** The statements of the session store, on either engine. */
export interface SessionRows {
  insert(s: McpSession, now: number): Promise<void>;
  get(id: string): Promise<McpSession | null>;
  touch(ids: string[], now: number): Promise<void>;
  setLogLevel(id: string, level: LogLevel): Promise<void>;
  /** True when there was such a row. */
  delete(id: string): Promise<boolean>;
  /** Deletes the sessions of a revoked credential; returns their ids. */
  deleteByCredential(column: CredentialColumn, value: string): Promise<string[]>;
  count(): Promise<number>;
  /** The `n` least recently used session ids, oldest first. */
  oldest(n: number): Promise<string[]>;
  /** Deletes sessions unused since `before` (any instance may sweep: stream holders keep theirs fresh); returns how many. */
  deleteIdleSince(before: number): Promise<number>;
  /** Which of `ids` still have a row. */
  existing(ids: string[]): Promise<Set<string>>;
}

/** A row as stored → the session (the JSON columns are text in both dialects: db/SCHEMA.md "Two dialects"). */
export function fromRaw(raw: Raw): McpSession {
  return { ...raw, clientInfo: raw.clientInfo === null ? null : JSON.parse(raw.clientInfo), clientCapabilities: JSON.parse(raw.clientCapabilities) };
}

/** The insert's parameters, in the column order of both dialects' INSERT. */
export function insertParams(s: McpSession, now: number): Array<string | number | null> {
  return [s.id, s.credential, s.orgId, s.projectId, s.channel, s.protocolVersion, s.clientInfo === null ? null : JSON.stringify(s.clientInfo),
    JSON.stringify(s.clientCapabilities), s.logLevel, s.grantId, s.apiKeyId, s.loginSessionId, s.userId, s.role, now, s.lastSeen];
}

/** Both engines' bound-parameter limits are far above this; chunks keep one statement shape per size class. */
export const IN_CHUNK = 500;

export class SqliteSessionRows implements SessionRows {
  constructor(private readonly sqlite: Database) {}

  async insert(s: McpSession, now: number): Promise<void> {
    this.sqlite.query(SQL.insert).run(...insertParams(s, now));
  }

  async get(id: string): Promise<McpSession | null> {
    const raw = this.sqlite.query<Raw, [string]>(SQL.get).get(id);
    return raw ? fromRaw(raw) : null;
  }

  async touch(ids: string[], now: number): Promise<void> {
    if (ids.length === 1) {
      this.sqlite.query(SQL.touch).run(now, ids[0]!);
      return;
    }
    this.sqlite.transaction(() => {
      for (const id of ids) this.sqlite.query(SQL.touch).run(now, id);
    })();
  }

  async setLogLevel(id: string, level: LogLevel): Promise<void> {
    this.sqlite.query(SQL.logLevel).run(level, id);
  }

  async delete(id: string): Promise<boolean> {
    return this.sqlite.query(SQL.delete).run(id).changes > 0;
  }

  async deleteByCredential(column: CredentialColumn, value: string): Promise<string[]> {
    return this.sqlite.query<{ id: string }, [string]>(BY_CREDENTIAL[column]).all(value).map((r) => r.id);
  }

  async count(): Promise<number> {
    return this.sqlite.query<{ n: number }, []>(SQL.count).get()!.n;
  }

  async oldest(n: number): Promise<string[]> {
    return this.sqlite.query<{ id: string }, [number]>(SQL.oldest).all(n).map((r) => r.id);
  }

  async deleteIdleSince(before: number): Promise<number> {
    return this.sqlite.query(SQL.expired).run(before).changes;
  }

  async existing(ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const rows = this.sqlite.query<{ id: string }, string[]>(`SELECT id FROM mcp_sessions WHERE id IN (${chunk.map(() => "?").join(",")})`).all(...chunk);
      for (const r of rows) out.add(r.id);
    }
    return out;
  }
}
