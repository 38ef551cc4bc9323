/**
 * Roles and scopes policy (docs/architecture.md: Roles and scopes). Pure functions, no I/O: OAuth consent, the per-request
 * grant check, API keys and the MCP tool list all ask this module.
 */
import type { Channel, ManagementToolsSetting, Role } from "../db/schema";

export const SCOPES = ["project:read", "tools:call", "draft", "project:write", "publish", "settings"] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Role, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };

/** Lowest role that may hold each scope. */
export const SCOPE_MIN_ROLE: Record<Scope, Role> = {
  "project:read": "viewer",
  "tools:call": "viewer",
  draft: "developer",
  "project:write": "developer",
  publish: "admin",
  settings: "admin",
};

/** Plain words for the consent page and settings pages. */
export const SCOPE_WORDS: Record<Scope, string> = {
  "project:read": "See the project's tools, prompts and instructions",
  "tools:call": "Run the project's MCP tools",
  draft: "Use the draft (unpublished) working copy",
  "project:write": "Read and modify project data (draft tools and instructions)",
  publish: "Publish new versions and roll back",
  settings: "Access settings: members, API keys, authorized apps and the audit log",
};

export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Lowest role that may use a channel at all. */
export function channelMinRole(channel: Channel): Role {
  return channel === "draft" ? "developer" : "viewer";
}

/** Every scope a role may hold on a channel (draft needs `draft`; production never grants `draft`). */
export function allowedScopes(role: Role, channel: Channel): Scope[] {
  return SCOPES.filter((s) => roleAtLeast(role, SCOPE_MIN_ROLE[s]) && (channel === "draft" || s !== "draft"));
}

/** Granted = requested ∩ allowed; nothing (recognised) requested → the role's defaults for the channel. */
export function grantedScopes(role: Role, channel: Channel, requested: readonly string[]): Scope[] {
  const allowed = allowedScopes(role, channel);
  const asked = requested.filter(isScope);
  if (asked.length === 0) return allowed;
  const granted = allowed.filter((s) => asked.includes(s));
  // A draft grant is useless without `draft`; a channel grant without read cannot even list tools.
  if (channel === "draft" && !granted.includes("draft") && allowed.includes("draft")) granted.push("draft");
  return SCOPES.filter((s) => granted.includes(s));
}

/** What an API key carries unless its creator asks for more (docs/architecture.md: API key — MCP use only). */
export const DEFAULT_KEY_SCOPES: readonly Scope[] = ["project:read", "tools:call"];

/** Scopes that change the project or its settings; keys holding one are labelled as management keys. */
export const MANAGEMENT_SCOPES: readonly Scope[] = ["project:write", "publish", "settings"];

/** Whether a project's management-tools setting (off | draft | draft and production) offers them on `channel`. */
export function managementOn(setting: ManagementToolsSetting, channel: Channel): boolean {
  return setting === "draft_and_production" || (setting === "draft" && channel === "draft");
}

/**
 * What a new grant on `channel` may carry (issue 16 #3): the management scopes only where the project offers
 * management tools, so a production connection of a project that did not opt in never holds them — except
 * one that a tool of the channel itself declares (a tool's "extra scope needed"), which it keeps, or that tool
 * would vanish for everyone.
 */
export function grantableScopes(scopes: readonly Scope[], setting: ManagementToolsSetting, channel: Channel, toolScopes: readonly Scope[] = []): Scope[] {
  if (managementOn(setting, channel)) return [...scopes];
  return scopes.filter((s) => !MANAGEMENT_SCOPES.includes(s) || toolScopes.includes(s));
}

/**
 * Scopes the consent page does not let the user untick: without `project:read` a grant cannot even list
 * tools (every MCP method but ping needs it), and a draft grant without `draft` cannot use the draft URL,
 * so unticking either would leave a connection that only fails.
 */
export function requiredScopes(channel: Channel): Scope[] {
  return channel === "draft" ? ["project:read", "draft"] : ["project:read"];
}

/** The user's choice at consent: the offered scopes they left ticked, plus the required ones. */
export function tickedScopes(offered: readonly Scope[], ticked: readonly string[], channel: Channel): Scope[] {
  const required = requiredScopes(channel);
  return offered.filter((s) => ticked.includes(s) || required.includes(s));
}

/** Known scopes of `requested`, in table order (unknown words dropped). */
export function knownScopes(requested: readonly string[]): Scope[] {
  return SCOPES.filter((s) => requested.includes(s));
}

/**
 * The highest role a set of scopes stands for, for operations that name only a role (issue 11 #2): an
 * API key never acts above what its scopes say, even where an operation has no scope of its own.
 * `settings` → admin; `project:write` → developer; anything else → viewer.
 */
export function scopeCeiling(scopes: readonly Scope[]): Role {
  if (scopes.includes("settings")) return "admin";
  if (scopes.includes("project:write")) return "developer";
  return "viewer";
}

export function parseScopes(value: string | null | undefined): string[] {
  return (value ?? "").split(/\s+/).filter(Boolean);
}

export function formatScopes(scopes: readonly string[]): string {
  return scopes.join(" ");
}
