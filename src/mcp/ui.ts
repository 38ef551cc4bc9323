/**
 * MCP Apps (SEP-1865) view of interactive tools for the transport: the `ui://` resource a tool points
 * at, its `_meta.ui`, and the resource contents. The tools domain owns the rules; this adapter is the
 * one place the MCP layer asks.
 */
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { ToolDefinition } from "../projects/manifest";
import type { ProjectRef } from "./project-ref";

export const MCP_APP_MIME = "text/html;profile=mcp-app";

export interface UiProvider {
  mimeType: string;
  /** `_meta` for tools/list (interactive tools only). */
  toolMeta(project: Pick<ProjectRef, "slug">, def: ToolDefinition): Record<string, unknown> | undefined;
  resourceUri(project: Pick<ProjectRef, "slug">, def: ToolDefinition): string;
  contents(project: Pick<ProjectRef, "slug">, def: ToolDefinition, uri: string): ReadResourceResult["contents"][number];
}

/**
 * MCP Apps conventions: `ui://{project}/{tool}`, `_meta.ui.resourceUri` on the tool (plus the legacy
 * flat `ui/resourceUri` key older hosts read), and a CSP listing the tool's allowed domains.
 */
export const mcpAppsUi: UiProvider = {
  mimeType: MCP_APP_MIME,
  resourceUri: (project, def) => `ui://${project.slug}/${def.name}`,
  toolMeta(project, def) {
    if (def.kind !== "interactive") return undefined;
    const resourceUri = this.resourceUri(project, def);
    return { ui: { resourceUri }, "ui/resourceUri": resourceUri };
  },
  contents(_project, def, uri) {
    const html = def.kind === "interactive" ? def.html : "";
    const domains = def.allowedDomains.map((d) => `https://${d}`);
    return { uri, mimeType: MCP_APP_MIME, text: html, _meta: { ui: { csp: { connectDomains: domains, resourceDomains: domains } } } };
  },
};
