/**
 * The `mcp_sessions` rows on Postgres: the twin of SqliteSessionRows (src/mcp/session-rows.ts), the same
 * statements on Bun's pool (`db.$client` of `openPgStorage`) with numbered parameters. Two things differ
 * from SQLite's text: aliases are quoted (Postgres folds `AS projectId` to `projectid`), and `bigint`
 * `last_seen_at` and `count(*)` come back from the driver as strings, so they are read as numbers here —
 * the session reads the same on both engines (db/SCHEMA.md: "Two dialects").
 */
import type { SQL } from "bun";
import { fromRaw, insertParams, IN_CHUNK, type CredentialColumn, type LogLevel, type McpSession, type Raw, type SessionRows } from "./session-rows";

const COLUMNS = `id, credential, project_id AS "projectId", channel, protocol_version AS "protocolVersion", client_info AS "clientInfo",
  client_capabilities AS "clientCapabilities", log_level AS "logLevel", grant_id AS "grantId", api_key_id AS "apiKeyId", user_id AS "userId",
  org_id AS "orgId", role, login_session_id AS "loginSessionId", last_seen_at AS "lastSeen"`;

const SQL_TEXT = {
  insert: `INSERT INTO mcp_sessions (id, credential, org_id, project_id, channel, protocol_version, client_info, client_capabilities,
    log_level, grant_id, api_key_id, login_session_id, user_id, role, created_at, last_seen_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
  get: `SELECT ${COLUMNS} FROM mcp_sessions WHERE id = $1`,
  logLevel: "UPDATE mcp_sessions SET log_level = $1 WHERE id = $2",
  delete: "DELETE FROM mcp_sessions WHERE id = $1",
  count: "SELECT count(*) AS n FROM mcp_sessions",
  oldest: "SELECT id FROM mcp_sessions ORDER BY last_seen_at LIMIT $1",
  expired: "DELETE FROM mcp_sessions WHERE last_seen_at < $1",
} as const;

const BY_CREDENTIAL: Record<CredentialColumn, string> = {
  grantId: "DELETE FROM mcp_sessions WHERE grant_id = $1 RETURNING id",
  apiKeyId: "DELETE FROM mcp_sessions WHERE api_key_id = $1 RETURNING id",
  loginSessionId: "DELETE FROM mcp_sessions WHERE login_session_id = $1 RETURNING id",
};

/** `$2, $3, …` for `n` values after `first - 1` others. */
const slots = (n: number, first: number) => Array.from({ length: n }, (_, i) => `$${first + i}`).join(", ");

/** Rows a statement changed (Bun's result array carries the command tag's count). */
const changed = (result: unknown) => Number((result as { count?: number }).count ?? 0);

export class PgSessionRows implements SessionRows {
  constructor(private readonly sql: SQL) {}

  async insert(s: McpSession, now: number): Promise<void> {
    await this.sql.unsafe(SQL_TEXT.insert, insertParams(s, now));
  }

  async get(id: string): Promise<McpSession | null> {
    const [raw] = (await this.sql.unsafe(SQL_TEXT.get, [id])) as Raw[];
    return raw ? fromRaw({ ...raw, lastSeen: Number(raw.lastSeen) }) : null;
  }

  /** One statement for every id (SQLite runs one per id in a transaction; the effect is the same). */
  async touch(ids: string[], now: number): Promise<void> {
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      await this.sql.unsafe(`UPDATE mcp_sessions SET last_seen_at = $1 WHERE id IN (${slots(chunk.length, 2)})`, [now, ...chunk]);
    }
  }

  async setLogLevel(id: string, level: LogLevel): Promise<void> {
    await this.sql.unsafe(SQL_TEXT.logLevel, [level, id]);
  }

  async delete(id: string): Promise<boolean> {
    return changed(await this.sql.unsafe(SQL_TEXT.delete, [id])) > 0;
  }

  async deleteByCredential(column: CredentialColumn, value: string): Promise<string[]> {
    return ((await this.sql.unsafe(BY_CREDENTIAL[column], [value])) as Array<{ id: string }>).map((r) => r.id);
  }

  async count(): Promise<number> {
    const [row] = (await this.sql.unsafe(SQL_TEXT.count)) as Array<{ n: string | number }>;
    return Number(row!.n);
  }

  async oldest(n: number): Promise<string[]> {
    return ((await this.sql.unsafe(SQL_TEXT.oldest, [n])) as Array<{ id: string }>).map((r) => r.id);
  }

  async deleteIdleSince(before: number): Promise<number> {
    return changed(await this.sql.unsafe(SQL_TEXT.expired, [before]));
  }

  async existing(ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const rows = (await this.sql.unsafe(`SELECT id FROM mcp_sessions WHERE id IN (${slots(chunk.length, 1)})`, chunk)) as Array<{ id: string }>;
      for (const r of rows) out.add(r.id);
    }
    return out;
  }
}
