/**
 * The product's vocabulary (docs/architecture.md: Concepts): roles, channels, tool kinds, visibilities.
 * Every layer may use it; the storage schema builds its enums from it, so faces need not import storage.
 */
export const ROLES = ["owner", "admin", "developer", "viewer"] as const;
export const CHANNELS = ["production", "draft"] as const;
export const TOOL_KINDS = ["interactive", "script", "http"] as const;
export const VISIBILITIES = ["private", "public"] as const;
/** Where a project offers the `portico_*` management tools (issue 16 #3): nowhere, the draft URL, or both URLs. */
export const MANAGEMENT_TOOL_SETTINGS = ["off", "draft", "draft_and_production"] as const;
/** What made a project audit row: a request to an MCP endpoint, or a test run from a tool's page (issue 16 #2). */
export const AUDIT_SOURCES = ["mcp", "test-run", "replay"] as const;

export type Role = (typeof ROLES)[number];
export type Channel = (typeof CHANNELS)[number];
export type ToolKind = (typeof TOOL_KINDS)[number];
export type Visibility = (typeof VISIBILITIES)[number];
export type ManagementToolsSetting = (typeof MANAGEMENT_TOOL_SETTINGS)[number];
export type AuditSource = (typeof AUDIT_SOURCES)[number];
