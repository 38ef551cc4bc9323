/**
 * Management tools (docs/architecture.md: Roles and scopes): `portico_*` tools that let a developer build a project
 * from inside a host. Each needs a scope; `publish` and `settings` ones also need the project switch.
 * They call the same services as the CLI, pages and API, and never return a secret value or a key.
 */
import { CONTENT_TOOLS } from "./content-tools";
import { SETTINGS_TOOLS } from "./settings-tools";

export type { ManagementToolSpec } from "./spec";

export const MANAGEMENT_TOOLS = [...CONTENT_TOOLS, ...SETTINGS_TOOLS];
