/**
 * Interactive tools as MCP Apps (SEP-1865, `@modelcontextprotocol/ext-apps`): the tool's HTML is a
 * `ui://` resource with mime `text/html;profile=mcp-app`; the tool points at it through
 * `_meta.ui.resourceUri` (plus the legacy flat `ui/resourceUri` key older hosts read). The CSP belongs
 * on the resource, not the tool (ext-apps `McpUiToolMeta.csp` is `never`: hosts read it from
 * `resources/read`). A call returns the validated input as `structuredContent` — the host hands it to
 * the UI in `ui/notifications/tool-result` — and a text fallback for hosts without MCP Apps.
 */
import type { McpUiResourceMeta, McpUiToolMeta } from "@modelcontextprotocol/ext-apps";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ToolDefinition } from "../projects/manifest";
import { domainOrigins } from "./domains";

type InteractiveTool = Extract<ToolDefinition, { kind: "interactive" }>;

/**
 * ext-apps' `RESOURCE_MIME_TYPE` and `RESOURCE_URI_META_KEY`, restated: importing them loads the whole
 * ext-apps server module (10–180 ms at start, measured) for two strings. A test pins them to ext-apps'.
 */
export const RESOURCE_MIME_TYPE = "text/html;profile=mcp-app";
export const RESOURCE_URI_META_KEY = "ui/resourceUri";

/** `ui://{org}/{project}/{tool}` — one resource per interactive tool of a project. */
export function uiResourceUri(projectSlug: string, toolName: string): string {
  const path = [...projectSlug.split("/"), toolName].map(encodeURIComponent).join("/");
  return `ui://${path}`;
}

/** The tool's `_meta` for `tools/list`: where its UI lives, in both the current and the legacy key. */
export function toolMeta(projectSlug: string, def: Pick<InteractiveTool, "name">): { ui: McpUiToolMeta; [RESOURCE_URI_META_KEY]: string } {
  const resourceUri = uiResourceUri(projectSlug, def.name);
  return { ui: { resourceUri }, [RESOURCE_URI_META_KEY]: resourceUri };
}

/** The resource's `_meta.ui`: the origins the UI may reach, from the tool's allowed domains. */
export function resourceMeta(def: Pick<InteractiveTool, "allowedDomains">): { ui: McpUiResourceMeta } {
  const origins = domainOrigins(def.allowedDomains);
  return { ui: { csp: { connectDomains: origins, resourceDomains: origins } } };
}

/** The `resources/read` content item for the tool's UI. */
export function uiResource(projectSlug: string, def: InteractiveTool): { uri: string; mimeType: string; text: string; _meta: ReturnType<typeof resourceMeta> } {
  return { uri: uiResourceUri(projectSlug, def.name), mimeType: RESOURCE_MIME_TYPE, text: def.html, _meta: resourceMeta(def) };
}

/** The `resources/list` entry for the tool's UI. */
export function uiResourceListing(projectSlug: string, def: InteractiveTool) {
  return {
    uri: uiResourceUri(projectSlug, def.name),
    name: def.name,
    ...(def.title ? { title: def.title } : {}),
    description: def.description || `Interface of the ${def.name} tool`,
    mimeType: RESOURCE_MIME_TYPE,
    _meta: resourceMeta(def),
  };
}

/** A call: the validated input is the UI's data; the text says the same for hosts that show no UI. */
export function runInteractiveTool(def: InteractiveTool, input: Record<string, unknown>): CallToolResult {
  const label = def.title ?? def.name;
  return { content: [{ type: "text", text: `${label}: ${JSON.stringify(input)}` }], structuredContent: input };
}
