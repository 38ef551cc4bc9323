/**
 * Management tools (docs/architecture.md: Roles and scopes): `portico_*` tools that let a developer build a project
 * from inside a host. Each needs a scope, and the project's setting decides on which URLs they are offered
 * at all: off | draft (the default) | draft and production (issue 16 #3).
 * They call the same services as the CLI, pages and API, and never return a secret value or a key.
 */
import { CONTENT_TOOLS } from "./content-tools";
import { SETTINGS_TOOLS } from "./settings-tools";

export type { ManagementToolSpec } from "./spec";

export const MANAGEMENT_TOOLS = [...CONTENT_TOOLS, ...SETTINGS_TOOLS];
