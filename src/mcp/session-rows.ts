/**
 * The `mcp_sessions` rows (db/SCHEMA.md): the SQL the session store runs, each statement prepared once by
 * bun:sqlite's statement cache. Rows are shared by every instance on the database, so a 2025 client's next
 * request may land on any of them (docs/architecture.md: Change feed, "Several instances"); only what is
 * a connection — an open GET stream — stays with the instance that accepted it.
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

type Raw = Omit<McpSession, "clientInfo" | "clientCapabilities"> & { clientInfo: string | null; clientCapabilities: string };

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

const BY_CREDENTIAL = {
  grantId: "DELETE FROM mcp_sessions WHERE grant_id = ? RETURNING id",
  apiKeyId: "DELETE FROM mcp_sessions WHERE api_key_id = ? RETURNING id",
  loginSessionId: "DELETE FROM mcp_sessions WHERE login_session_id = ? RETURNING id",
} as const;

/** SQLite's default bound-parameter limit is far above this; chunks keep one statement shape per size class. */
const IN_CHUNK = 500;

export class SessionRows {
  constructor(private readonly sqlite: Database) {}

  insert(s: McpSession, now: number): void {
    this.sqlite
      .query(SQL.insert)
      .run(s.id, s.credential, s.orgId, s.projectId, s.channel, s.protocolVersion, s.clientInfo === null ? null : JSON.stringify(s.clientInfo),
        JSON.stringify(s.clientCapabilities), s.logLevel, s.grantId, s.apiKeyId, s.loginSessionId, s.userId, s.role, now, s.lastSeen);
  }

  get(id: string): McpSession | null {
    const raw = this.sqlite.query<Raw, [string]>(SQL.get).get(id);
    if (!raw) return null;
    return { ...raw, clientInfo: raw.clientInfo === null ? null : JSON.parse(raw.clientInfo), clientCapabilities: JSON.parse(raw.clientCapabilities) };
  }

  touch(ids: string[], now: number): void {
    if (ids.length === 1) {
      this.sqlite.query(SQL.touch).run(now, ids[0]!);
      return;
    }
    this.sqlite.transaction(() => {
      for (const id of ids) this.sqlite.query(SQL.touch).run(now, id);
    })();
  }

  setLogLevel(id: string, level: LogLevel): void {
    this.sqlite.query(SQL.logLevel).run(level, id);
  }

  /** True when there was such a row. */
  delete(id: string): boolean {
    return this.sqlite.query(SQL.delete).run(id).changes > 0;
  }

  /** Deletes the sessions of a revoked credential; returns their ids. */
  deleteByCredential(column: keyof typeof BY_CREDENTIAL, value: string): string[] {
    return this.sqlite.query<{ id: string }, [string]>(BY_CREDENTIAL[column]).all(value).map((r) => r.id);
  }

  count(): number {
    return this.sqlite.query<{ n: number }, []>(SQL.count).get()!.n;
  }

  /** The `n` least recently used session ids, oldest first. */
  oldest(n: number): string[] {
    return this.sqlite.query<{ id: string }, [number]>(SQL.oldest).all(n).map((r) => r.id);
  }

  /** Deletes sessions unused since `before` (any instance may sweep: stream holders keep theirs fresh). */
  deleteIdleSince(before: number): number {
    return this.sqlite.query(SQL.expired).run(before).changes;
  }

  /** Which of `ids` still have a row. */
  existing(ids: string[]): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const rows = this.sqlite.query<{ id: string }, string[]>(`SELECT id FROM mcp_sessions WHERE id IN (${chunk.map(() => "?").join(",")})`).all(...chunk);
      for (const r of rows) out.add(r.id);
    }
    return out;
  }
}
