/**
 * The Postgres dialect of the storage schema: the same tables, columns (names and nullability), keys,
 * indexes and foreign keys as `src/db/schema.ts` (SQLite), which stays the one place a column is described
 * (and `db/SCHEMA.md` in words). Row types are identical to the SQLite ones, so services do not know which
 * engine they run on; the column types that make that so are in `./columns.ts`. `test/db/schema-parity.test.ts`
 * fails when the two dialects drift apart. Migrations: `drizzle-kit generate --config drizzle.pg.config.ts`
 * writes `db/pg/` (db/SCHEMA.md: "Two dialects").
 */
import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { AUDIT_SOURCES, CHANNELS, MANAGEMENT_TOOL_SETTINGS, ROLES, TOOL_KINDS, VISIBILITIES } from "../../domain";
import { bytea, epochMs, json } from "./columns";

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: epochMs("created_at").notNull(),
  passwordChangedAt: epochMs("password_changed_at").notNull(),
});

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    csrfSecret: text("csrf_secret").notNull(),
    createdAt: epochMs("created_at").notNull(),
    lastSeenAt: epochMs("last_seen_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    endedAt: epochMs("ended_at"),
    endedReason: text("ended_reason"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const passwordResets = pgTable("password_resets", {
  tokenHash: text("token_hash").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  createdBy: text("created_by"),
  createdAt: epochMs("created_at").notNull(),
  expiresAt: epochMs("expires_at").notNull(),
  usedAt: epochMs("used_at"),
});

export const orgs = pgTable("orgs", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: epochMs("created_at").notNull(),
});

export const memberships = pgTable(
  "memberships",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

export const invites = pgTable(
  "invites",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    role: text("role", { enum: ROLES }).notNull(),
    email: text("email"),
    createdBy: text("created_by").notNull(),
    createdAt: epochMs("created_at").notNull(),
    expiresAt: epochMs("expires_at").notNull(),
    acceptedAt: epochMs("accepted_at"),
    acceptedBy: text("accepted_by"),
    revokedAt: epochMs("revoked_at"),
  },
  (t) => [index("invites_org_idx").on(t.orgId)],
);

export const projects = pgTable(
  "projects",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    instructions: text("instructions").notNull().default(""),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("private"),
    productionVersionId: text("production_version_id"),
    storePayloads: boolean("store_payloads").notNull().default(true),
    auditRetentionDays: integer("audit_retention_days").notNull().default(90),
    managementTools: text("management_tools", { enum: MANAGEMENT_TOOL_SETTINGS }).notNull().default("draft"),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [uniqueIndex("projects_org_slug_idx").on(t.orgId, t.slug)],
);

export const tools = pgTable(
  "tools",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    title: text("title"),
    description: text("description").notNull().default(""),
    kind: text("kind", { enum: TOOL_KINDS }).notNull(),
    inputSchema: json("input_schema").notNull(),
    outputSchema: json("output_schema"),
    annotations: json("annotations"),
    scope: text("scope"),
    config: json("config").notNull(),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [uniqueIndex("tools_project_name_idx").on(t.projectId, t.name)],
);

export const toolSecrets = pgTable(
  "tool_secrets",
  {
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    toolName: text("tool_name").notNull(),
    name: text("name").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull().default("production"),
    ciphertext: bytea("ciphertext").notNull(),
    iv: bytea("iv").notNull(),
    keyId: text("key_id").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.toolName, t.channel, t.name] })],
);

export const prompts = pgTable(
  "prompts",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    title: text("title"),
    description: text("description").notNull().default(""),
    arguments: json("arguments").notNull(),
    template: text("template").notNull(),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [uniqueIndex("prompts_project_name_idx").on(t.projectId, t.name)],
);

export const versions = pgTable(
  "versions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    snapshot: json("snapshot").notNull(),
    diff: json("diff").notNull(),
    note: text("note"),
    authorId: text("author_id"),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [uniqueIndex("versions_project_number_idx").on(t.projectId, t.number)],
);

export const releases = pgTable(
  "releases",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    versionId: text("version_id").notNull().references(() => versions.id, { onDelete: "cascade" }),
    action: text("action", { enum: ["publish", "rollback"] }).notNull(),
    actorId: text("actor_id"),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [index("releases_project_idx").on(t.projectId, t.createdAt)],
);

export const oauthClients = pgTable("oauth_clients", {
  id: text("id").primaryKey(),
  registration: text("registration", { enum: ["dcr", "cimd"] }).notNull(),
  name: text("name").notNull(),
  redirectUris: json("redirect_uris").$type<string[]>().notNull(),
  tokenEndpointAuthMethod: text("token_endpoint_auth_method").notNull(),
  secretHash: text("secret_hash"),
  grantTypes: json("grant_types").$type<string[]>().notNull(),
  clientUri: text("client_uri"),
  logoUri: text("logo_uri"),
  applicationType: text("application_type", { enum: ["web", "native"] }),
  metadata: json("metadata").notNull(),
  fetchedAt: epochMs("fetched_at"),
  freshUntil: epochMs("fresh_until"),
  etag: text("etag"),
  createdAt: epochMs("created_at").notNull(),
  lastUsedAt: epochMs("last_used_at"),
});

export const authRequests = pgTable("auth_requests", {
  id: text("id").primaryKey(),
  clientId: text("client_id").notNull(),
  redirectUri: text("redirect_uri").notNull(),
  state: text("state"),
  codeChallenge: text("code_challenge").notNull(),
  scope: text("scope"),
  resource: text("resource"),
  params: json("params").notNull(),
  userId: text("user_id"),
  createdAt: epochMs("created_at").notNull(),
  expiresAt: epochMs("expires_at").notNull(),
});

export const grants = pgTable(
  "grants",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    resource: text("resource").notNull(),
    clientId: text("client_id").notNull(),
    scopes: text("scopes").notNull(),
    sessionId: text("session_id").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: epochMs("created_at").notNull(),
    lastUsedAt: epochMs("last_used_at"),
    revokedAt: epochMs("revoked_at"),
    revokedReason: text("revoked_reason"),
    protocolVersion: text("protocol_version"),
  },
  (t) => [
    index("grants_org_idx").on(t.orgId),
    index("grants_user_idx").on(t.userId),
    index("grants_session_idx").on(t.sessionId),
    index("grants_client_idx").on(t.clientId),
  ],
);

export const authCodes = pgTable("auth_codes", {
  codeHash: text("code_hash").primaryKey(),
  grantId: text("grant_id").notNull().references(() => grants.id, { onDelete: "cascade" }),
  clientId: text("client_id").notNull(),
  redirectUri: text("redirect_uri").notNull(),
  codeChallenge: text("code_challenge").notNull(),
  resource: text("resource").notNull(),
  scopes: text("scopes").notNull(),
  createdAt: epochMs("created_at").notNull(),
  expiresAt: epochMs("expires_at").notNull(),
  usedAt: epochMs("used_at"),
});

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    grantId: text("grant_id").notNull().references(() => grants.id, { onDelete: "cascade" }),
    createdAt: epochMs("created_at").notNull(),
    expiresAt: epochMs("expires_at").notNull(),
    usedAt: epochMs("used_at"),
    successor: text("successor"),
  },
  (t) => [index("refresh_tokens_grant_idx").on(t.grantId)],
);

export const signingKeys = pgTable("signing_keys", {
  kid: text("kid").primaryKey(),
  alg: text("alg").notNull(),
  publicJwk: json("public_jwk").notNull(),
  privateJwk: json("private_jwk").notNull(),
  createdAt: epochMs("created_at").notNull(),
  retiredAt: epochMs("retired_at"),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    createdBy: text("created_by").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    channel: text("channel", { enum: CHANNELS }),
    scopes: text("scopes").notNull().default("project:read tools:call"),
    createdAt: epochMs("created_at").notNull(),
    expiresAt: epochMs("expires_at"),
    lastUsedAt: epochMs("last_used_at"),
    revokedAt: epochMs("revoked_at"),
  },
  (t) => [index("api_keys_project_idx").on(t.projectId)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    projectId: text("project_id").notNull(),
    time: epochMs("time").notNull(),
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
    protocolVersion: text("protocol_version"),
    traceparent: text("traceparent"),
    /** `mcp`: a request to an MCP endpoint; `test-run`: a developer ran a draft tool from its page (issue 16 #2). */
    source: text("source", { enum: AUDIT_SOURCES }).notNull().default("mcp"),
    /**
     * Tamper evidence (docs/architecture.md: Audit chain): the row's place in its project's chain, the digest of
     * its payloads (input, output, error, logs — erasable without breaking the chain) and the chained hash.
     * Null on rows written before chaining began.
     */
    chainSeq: bigint("chain_seq", { mode: "number" }),
    payloadHash: text("payload_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_project_time_idx").on(t.projectId, t.id),
    index("audit_time_idx").on(t.time),
    uniqueIndex("audit_chain_idx").on(t.projectId, t.chainSeq),
  ],
);

export const orgAuditEvents = pgTable(
  "org_audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    orgId: text("org_id").notNull(),
    time: epochMs("time").notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    projectId: text("project_id"),
    details: json("details"),
    /**
     * Tamper evidence (docs/architecture.md: Audit chain): the row's place in its org's chain, the digest of
     * its payloads (`details`) and the chained hash.
     * Null on rows written before chaining began.
     */
    chainSeq: bigint("chain_seq", { mode: "number" }),
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
export const auditChains = pgTable("audit_chains", {
  chain: text("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  prunedSeq: bigint("pruned_seq", { mode: "number" }).notNull().default(0),
  prunedHash: text("pruned_hash"),
  updatedAt: epochMs("updated_at").notNull(),
});

/**
 * Ed25519 keys that sign audit head statements (issue 18). Dedicated, unlike the OAuth signing keys, and never
 * retired or deleted: a statement signed years ago must still verify. Private parts sealed with the master key.
 */
export const auditSigningKeys = pgTable("audit_signing_keys", {
  kid: text("kid").primaryKey(),
  publicJwk: json("public_jwk").notNull(),
  privateJwk: json("private_jwk").notNull(),
  createdAt: epochMs("created_at").notNull(),
});

export const handshakeEvents = pgTable(
  "handshake_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    time: epochMs("time").notNull(),
    projectId: text("project_id"),
    clientId: text("client_id"),
    step: text("step").notNull(),
    outcome: text("outcome", { enum: ["ok", "fail"] }).notNull(),
    reason: text("reason"),
    protocolVersion: text("protocol_version"),
    /** Credential-free key/values of the step: see src/db/schema.ts. */
    detail: json("detail").$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [index("handshake_project_idx").on(t.projectId, t.id), index("handshake_client_idx").on(t.clientId, t.id)],
);

/** MCP sessions of 2025 clients: see src/db/schema.ts. */
export const mcpSessions = pgTable(
  "mcp_sessions",
  {
    id: text("id").primaryKey(),
    /** `credentialId(principal)`: the grant, API key or anonymous caller that created it (another → 404). */
    credential: text("credential").notNull(),
    orgId: text("org_id").notNull(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    protocolVersion: text("protocol_version").notNull(),
    clientInfo: json("client_info"),
    clientCapabilities: json("client_capabilities").notNull(),
    logLevel: text("log_level").notNull(),
    grantId: text("grant_id"),
    apiKeyId: text("api_key_id"),
    loginSessionId: text("login_session_id"),
    userId: text("user_id"),
    /** The role the session's tool list was first built for (null: anonymous). */
    role: text("role", { enum: ROLES }),
    createdAt: epochMs("created_at").notNull(),
    lastSeenAt: epochMs("last_seen_at").notNull(),
  },
  (t) => [index("mcp_sessions_last_seen_idx").on(t.lastSeenAt), index("mcp_sessions_project_idx").on(t.projectId)],
);

export const rateLimitWindows = pgTable(
  "rate_limit_windows",
  {
    key: text("key").notNull(),
    windowStart: epochMs("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);
