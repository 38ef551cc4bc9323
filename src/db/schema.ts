/**
 * The whole storage schema. Times are epoch milliseconds (integers) so the hot path never converts dates;
 * ids are random text ids from `src/lib/ids.ts`. Secrets and tokens are stored only as SHA-256 hashes
 * (or AES-GCM ciphertext for tool secrets). `db/SCHEMA.md` describes every table in words.
 */
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { AUDIT_SOURCES, CHANNELS, MANAGEMENT_TOOL_SETTINGS, ROLES, TOOL_KINDS, VISIBILITIES } from "../domain";

export { CHANNELS, MANAGEMENT_TOOL_SETTINGS, ROLES, TOOL_KINDS, VISIBILITIES } from "../domain";
export type { Channel, ManagementToolsSetting, Role, ToolKind } from "../domain";

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  passwordChangedAt: integer("password_changed_at").notNull(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    csrfSecret: text("csrf_secret").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    endedAt: integer("ended_at"),
    endedReason: text("ended_reason"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const passwordResets = sqliteTable("password_resets", {
  tokenHash: text("token_hash").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
});

export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const memberships = sqliteTable(
  "memberships",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    role: text("role", { enum: ROLES }).notNull(),
    email: text("email"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    acceptedBy: text("accepted_by"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("invites_org_idx").on(t.orgId)],
);

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    instructions: text("instructions").notNull().default(""),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("private"),
    /** Pinned published version served on the production channel; null until the first publish. */
    productionVersionId: text("production_version_id"),
    storePayloads: integer("store_payloads", { mode: "boolean" }).notNull().default(true),
    auditRetentionDays: integer("audit_retention_days").notNull().default(90),
    /** Where the `portico_*` management tools are offered (docs/architecture.md: Roles and scopes); draft only by default. */
    managementTools: text("management_tools", { enum: MANAGEMENT_TOOL_SETTINGS }).notNull().default("draft"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("projects_org_slug_idx").on(t.orgId, t.slug)],
);

/** Draft (working copy) tools. Published copies live inside `versions.snapshot`. */
export const tools = sqliteTable(
  "tools",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    title: text("title"),
    description: text("description").notNull().default(""),
    kind: text("kind", { enum: TOOL_KINDS }).notNull(),
    inputSchema: text("input_schema", { mode: "json" }).notNull(),
    outputSchema: text("output_schema", { mode: "json" }),
    annotations: text("annotations", { mode: "json" }),
    /** Scope a caller needs beyond `tools:call` (null = none). */
    scope: text("scope"),
    /** Kind-specific definition: `{ html }`, `{ script, timeoutMs, memoryMb }`, `{ url, headers }`, plus `allowedDomains`. */
    config: text("config", { mode: "json" }).notNull(),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("tools_project_name_idx").on(t.projectId, t.name)],
);

/** Tool secrets, keyed by tool name so a published version finds the same values. AES-256-GCM. */
export const toolSecrets = sqliteTable(
  "tool_secrets",
  {
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    toolName: text("tool_name").notNull(),
    name: text("name").notNull(),
    /** Secret values are scoped per channel (docs: Security model): draft calls see only draft values. */
    channel: text("channel", { enum: CHANNELS }).notNull().default("production"),
    ciphertext: blob("ciphertext", { mode: "buffer" }).notNull(),
    iv: blob("iv", { mode: "buffer" }).notNull(),
    keyId: text("key_id").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.toolName, t.channel, t.name] })],
);

export const prompts = sqliteTable(
  "prompts",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    title: text("title"),
    description: text("description").notNull().default(""),
    arguments: text("arguments", { mode: "json" }).notNull(),
    template: text("template").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("prompts_project_name_idx").on(t.projectId, t.name)],
);

/** Immutable published versions: a snapshot of every tool (with UI HTML) and prompt at publish time. */
export const versions = sqliteTable(
  "versions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    snapshot: text("snapshot", { mode: "json" }).notNull(),
    diff: text("diff", { mode: "json" }).notNull(),
    note: text("note"),
    authorId: text("author_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("versions_project_number_idx").on(t.projectId, t.number)],
);

/** Publish and rollback history: which version production was pinned to, when and by whom. */
export const releases = sqliteTable(
  "releases",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    versionId: text("version_id").notNull().references(() => versions.id, { onDelete: "cascade" }),
    action: text("action", { enum: ["publish", "rollback"] }).notNull(),
    actorId: text("actor_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("releases_project_idx").on(t.projectId, t.createdAt)],
);

/** OAuth clients: DCR registrations (random id) and CIMD documents (id = the https URL). */
export const oauthClients = sqliteTable("oauth_clients", {
  id: text("id").primaryKey(),
  registration: text("registration", { enum: ["dcr", "cimd"] }).notNull(),
  name: text("name").notNull(),
  redirectUris: text("redirect_uris", { mode: "json" }).$type<string[]>().notNull(),
  tokenEndpointAuthMethod: text("token_endpoint_auth_method").notNull(),
  secretHash: text("secret_hash"),
  grantTypes: text("grant_types", { mode: "json" }).$type<string[]>().notNull(),
  clientUri: text("client_uri"),
  logoUri: text("logo_uri"),
  /**
   * OIDC Registration §2 `application_type` as the client declared it ("web" | "native"; MCP 2026-07-28
   * client registration, SEP-837); null when it declared none (older clients, most CIMD documents).
   */
  applicationType: text("application_type", { enum: ["web", "native"] }),
  /** The metadata document or registration request as received (no secrets). */
  metadata: text("metadata", { mode: "json" }).notNull(),
  /** CIMD HTTP caching: when the copy was fetched, until when it is fresh, its ETag. */
  fetchedAt: integer("fetched_at"),
  freshUntil: integer("fresh_until"),
  etag: text("etag"),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
});

/** Authorization requests kept server-side while the user signs in and consents (the form carries only the id). */
export const authRequests = sqliteTable("auth_requests", {
  id: text("id").primaryKey(),
  clientId: text("client_id").notNull(),
  redirectUri: text("redirect_uri").notNull(),
  state: text("state"),
  codeChallenge: text("code_challenge").notNull(),
  scope: text("scope"),
  resource: text("resource"),
  params: text("params", { mode: "json" }).notNull(),
  userId: text("user_id"),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

export const grants = sqliteTable(
  "grants",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    /** The exact channel URL the tokens are audience-bound to (RFC 8707). */
    resource: text("resource").notNull(),
    clientId: text("client_id").notNull(),
    scopes: text("scopes").notNull(),
    /** The session that approved it: the grant ends when that session ends. */
    sessionId: text("session_id").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason"),
    /** The MCP revision (`MCP-Protocol-Version`) the client last spoke with this grant; null before it sent one. */
    protocolVersion: text("protocol_version"),
  },
  (t) => [
    index("grants_org_idx").on(t.orgId),
    index("grants_user_idx").on(t.userId),
    index("grants_session_idx").on(t.sessionId),
    index("grants_client_idx").on(t.clientId),
  ],
);

export const authCodes = sqliteTable("auth_codes", {
  codeHash: text("code_hash").primaryKey(),
  grantId: text("grant_id").notNull().references(() => grants.id, { onDelete: "cascade" }),
  clientId: text("client_id").notNull(),
  redirectUri: text("redirect_uri").notNull(),
  codeChallenge: text("code_challenge").notNull(),
  resource: text("resource").notNull(),
  scopes: text("scopes").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
});

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    grantId: text("grant_id").notNull().references(() => grants.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set when rotated; a presentation after the grace window revokes the grant. */
    usedAt: integer("used_at"),
    /**
     * The successor pair this token was rotated into, sealed with the master key, kept only for the grace
     * window so a retry gets the same pair (no second branch of the family); cleared afterwards.
     */
    successor: text("successor"),
  },
  (t) => [index("refresh_tokens_grant_idx").on(t.grantId)],
);

/** JWT signing keys; the newest unretired one signs, all unretired ones verify and appear in the JWKS. */
export const signingKeys = sqliteTable("signing_keys", {
  kid: text("kid").primaryKey(),
  alg: text("alg").notNull(),
  publicJwk: text("public_jwk", { mode: "json" }).notNull(),
  privateJwk: text("private_jwk", { mode: "json" }).notNull(),
  createdAt: integer("created_at").notNull(),
  retiredAt: integer("retired_at"),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    createdBy: text("created_by").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** First characters of the key, shown in lists so a user can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    /** null = every channel the creator's role reaches. */
    channel: text("channel", { enum: CHANNELS }),
    /** Space-separated scopes the key carries (a subset of its creator's role); default MCP use only. */
    scopes: text("scopes").notNull().default("project:read tools:call"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_project_idx").on(t.projectId)],
);

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: text("project_id").notNull(),
    time: integer("time").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    principal: text("principal", { enum: ["user", "apikey", "anonymous"] }).notNull(),
    userId: text("user_id"),
    grantId: text("grant_id"),
    clientId: text("client_id"),
    apiKeyId: text("api_key_id"),
    sessionId: text("session_id"),
    method: text("method").notNull(),
    tool: text("tool"),
    version: integer("version"),
    input: text("input"),
    output: text("output"),
    status: text("status", { enum: ["ok", "error"] }).notNull(),
    errorClass: text("error_class", { enum: ["configuration", "runtime", "tool", "protocol", "auth"] }),
    error: text("error"),
    logs: text("logs"),
    durationMs: integer("duration_ms").notNull(),
    host: text("host"),
    ip: text("ip"),
    /** The MCP revision the request was served under (e.g. "2026-07-28"). */
    protocolVersion: text("protocol_version"),
    /** W3C Trace Context `traceparent` from the request's `_meta` (MCP 2026-07-28, SEP-414); only a well-formed value is kept. */
    traceparent: text("traceparent"),
    /** `mcp`: a request to an MCP endpoint; `test-run`: a developer ran a draft tool from its page (issue 16 #2). */
    source: text("source", { enum: AUDIT_SOURCES }).notNull().default("mcp"),
    /**
     * Tamper evidence (docs/architecture.md: Audit chain): the row's place in its project's chain, the digest of
     * its payloads (input, output, error, logs — erasable without breaking the chain) and the chained hash.
     * Null on rows written before chaining began.
     */
    chainSeq: integer("chain_seq"),
    payloadHash: text("payload_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_project_time_idx").on(t.projectId, t.id),
    index("audit_time_idx").on(t.time),
    uniqueIndex("audit_chain_idx").on(t.projectId, t.chainSeq),
  ],
);

export const orgAuditEvents = sqliteTable(
  "org_audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: text("org_id").notNull(),
    time: integer("time").notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    projectId: text("project_id"),
    details: text("details", { mode: "json" }),
    /**
     * Tamper evidence (docs/architecture.md: Audit chain): the row's place in its org's chain, the digest of
     * its payloads (`details`) and the chained hash.
     * Null on rows written before chaining began.
     */
    chainSeq: integer("chain_seq"),
    payloadHash: text("payload_hash"),
    hash: text("hash"),
  },
  (t) => [index("org_audit_org_idx").on(t.orgId, t.id), uniqueIndex("org_audit_chain_idx").on(t.orgId, t.chainSeq)],
);

/**
 * The head of every audit chain (docs/architecture.md: Audit chain): `p:<projectId>` for a project's calls,
 * `o:<orgId>` for an org's events. Writers read and advance it in the transaction that appends rows, so two
 * writers never fork a chain; retention records the pruned prefix here (its last seq and hash: the checkpoint
 * the remaining rows chain from).
 */
export const auditChains = sqliteTable("audit_chains", {
  chain: text("chain").primaryKey(),
  seq: integer("seq").notNull(),
  hash: text("hash").notNull(),
  prunedSeq: integer("pruned_seq").notNull().default(0),
  prunedHash: text("pruned_hash"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Ed25519 keys that sign audit head statements (issue 18). Dedicated, unlike the OAuth signing keys, and never
 * retired or deleted: a statement signed years ago must still verify. Private parts sealed with the master key.
 */
export const auditSigningKeys = sqliteTable("audit_signing_keys", {
  kid: text("kid").primaryKey(),
  publicJwk: text("public_jwk", { mode: "json" }).notNull(),
  privateJwk: text("private_jwk", { mode: "json" }).notNull(),
  createdAt: integer("created_at").notNull(),
});

/** Connection doctor: recent OAuth/MCP handshake steps per client (ids and outcomes only). */
export const handshakeEvents = sqliteTable(
  "handshake_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    time: integer("time").notNull(),
    projectId: text("project_id"),
    clientId: text("client_id"),
    step: text("step").notNull(),
    outcome: text("outcome", { enum: ["ok", "fail"] }).notNull(),
    reason: text("reason"),
    /** The MCP revision of an `mcp` step (the request's `MCP-Protocol-Version`), when the client sent one. */
    protocolVersion: text("protocol_version"),
    /**
     * Credential-free key/values of the step (path asked for, channel, HTTP status, scheme+host as seen, CIMD
     * metadata URL and fetch outcome, duration, grant id prefix…): src/doctor/handshake.ts `HandshakeDetail`.
     */
    detail: text("detail", { mode: "json" }).$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [index("handshake_project_idx").on(t.projectId, t.id), index("handshake_client_idx").on(t.clientId, t.id)],
);

/**
 * MCP sessions of 2025 clients (initialize + `Mcp-Session-Id`), shared by every instance on this database so a
 * client's next request may land on any of them (docs/architecture.md: Change feed, "Several instances").
 * A row is the session's identity and negotiated state; open GET streams are connections, held in memory
 * by the instance that accepted them. `last_seen_at` is written at most once a minute (src/mcp/sessions.ts).
 */
export const mcpSessions = sqliteTable(
  "mcp_sessions",
  {
    id: text("id").primaryKey(),
    /** `credentialId(principal)`: the grant, API key or anonymous caller that created it (another → 404). */
    credential: text("credential").notNull(),
    orgId: text("org_id").notNull(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    protocolVersion: text("protocol_version").notNull(),
    clientInfo: text("client_info", { mode: "json" }),
    clientCapabilities: text("client_capabilities", { mode: "json" }).notNull(),
    logLevel: text("log_level").notNull(),
    grantId: text("grant_id"),
    apiKeyId: text("api_key_id"),
    loginSessionId: text("login_session_id"),
    userId: text("user_id"),
    /** The role the session's tool list was first built for (null: anonymous). */
    role: text("role", { enum: ROLES }),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [index("mcp_sessions_last_seen_idx").on(t.lastSeenAt), index("mcp_sessions_project_idx").on(t.projectId)],
);

/**
 * Rate-limit counters of every instance (issue 15: shared, so instances cannot multiply a limit): one row
 * per limiter key and fixed window, windows aligned to the epoch so instances agree on them without talking.
 * Keys are `limiter:` + SHA-256 of what is counted (an email typed at sign-in is not kept in the clear).
 */
export const rateLimitWindows = sqliteTable(
  "rate_limit_windows",
  {
    key: text("key").notNull(),
    windowStart: integer("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Org = typeof orgs.$inferSelect;
export type Project = typeof projects.$inferSelect;
export type ToolRow = typeof tools.$inferSelect;
export type PromptRow = typeof prompts.$inferSelect;
export type Version = typeof versions.$inferSelect;
export type OAuthClient = typeof oauthClients.$inferSelect;
export type Grant = typeof grants.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferInsert;
export type OrgAuditEvent = typeof orgAuditEvents.$inferInsert;
