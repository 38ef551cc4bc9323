/**
 * What a channel serves, compiled once and cached (docs/architecture.md: Performance targets): the tool list in MCP
 * wire form and ajv validators per tool, rebuilt only when the channel changes. Draft views are keyed by
 * the project's `updated_at` (bumped by every draft change), production views by the pinned version id.
 * Those stamps come from the project row the MCP read cache serves, which follows the change feed
 * (docs/architecture.md, "Change feed"), so a change made by another process (the CLI) is seen on the
 * very next request, and nothing has to drop a view by hand: a moved stamp replaces it.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ValidateFunction } from "ajv";
import type { Deps } from "../deps";
import type { Channel } from "../db/schema";
import { createAjv, listDraftTools, listPrompts } from "../projects/draft";
import type { PromptDefinition, ToolDefinition } from "../projects/manifest";
import { getVersion } from "../projects/publish";
import { toolMeta } from "../tools/interactive";
import type { ProjectRef } from "../projects/project-ref";
import { headerParams, type HeaderParam } from "./stateless/headers";

export interface CompiledTool {
  def: ToolDefinition;
  wire: Tool;
  validateInput: ValidateFunction;
  validateOutput: ValidateFunction | null;
  /** The inputSchema's `x-mcp-header` annotations (MCP 2026-07-28 §Custom Headers), checked on 2026 calls. */
  headerParams: HeaderParam[];
}

export interface ChannelView {
  channel: Channel;
  /** Published version number; null on the draft channel. */
  version: number | null;
  tools: CompiledTool[];
  byName: Map<string, CompiledTool>;
  prompts: Map<string, PromptDefinition>;
  /** The instructions `initialize` and `server/discover` send: the draft's, or the pinned version's (issue 16 #4). */
  instructions: string;
  /** Which revision this is: the draft's `updated_at` or the pinned version id. */
  stamp: string;
}

/** The MCP `Tool` a host sees for a definition. */
export function wireTool(def: ToolDefinition, meta?: Record<string, unknown>): Tool {
  return {
    name: def.name,
    ...(def.title ? { title: def.title } : {}),
    description: def.description,
    inputSchema: def.inputSchema as Tool["inputSchema"],
    ...(def.outputSchema ? { outputSchema: def.outputSchema as Tool["outputSchema"] } : {}),
    ...(def.annotations ? { annotations: def.annotations } : {}),
    ...(meta ? { _meta: meta } : {}),
  };
}

/** `org/project`, the path of the project's `ui://` resources. */
export function uiPath(project: Pick<ProjectRef, "orgSlug" | "slug">): string {
  return `${project.orgSlug}/${project.slug}`;
}

function compile(defs: ToolDefinition[], project: ProjectRef): CompiledTool[] {
  // A fresh ajv per build: ajv caches every compiled schema, so a long-lived one would grow with each edit.
  const ajv = createAjv();
  return defs.map((def) => ({
    def,
    wire: wireTool(def, def.kind === "interactive" ? toolMeta(uiPath(project), def) : undefined),
    validateInput: ajv.compile(def.inputSchema),
    validateOutput: def.outputSchema ? ajv.compile(def.outputSchema) : null,
    headerParams: headerParams(def.inputSchema),
  }));
}

export class ChannelViews {
  /** One view per project channel (bounded by the number of projects). */
  private cache = new Map<string, ChannelView>();

  constructor(private readonly deps: Pick<Deps, "db">) {}

  /** The channel's view, or null when production has nothing published yet. */
  async get(project: ProjectRef, channel: Channel): Promise<ChannelView | null> {
    const stamp = channel === "draft" ? String(project.updatedAt) : project.productionVersionId;
    if (stamp === null) return null;
    const key = `${project.id}:${channel}`;
    const cached = this.cache.get(key);
    if (cached && cached.stamp === stamp) return cached;
    const view = channel === "draft" ? (await this.buildDraft(project, stamp)) : (await this.buildProduction(project, stamp));
    if (view) this.cache.set(key, view);
    return view;
  }

  close(): void {
    this.cache.clear();
  }

  private async buildDraft(project: ProjectRef, stamp: string): Promise<ChannelView> {
    return this.view(project, "draft", null, await listDraftTools(this.deps, project.id), await listPrompts(this.deps, project.id), project.instructions, stamp);
  }

  private async buildProduction(project: ProjectRef, versionId: string): Promise<ChannelView | null> {
    const version = await getVersion(this.deps, versionId);
    if (!version) return null;
    return this.view(project, "production", version.number, version.snapshot.tools, version.snapshot.prompts, version.snapshot.instructions ?? "", versionId);
  }

  private view(project: ProjectRef, channel: Channel, version: number | null, defs: ToolDefinition[], prompts: PromptDefinition[], instructions: string, stamp: string): ChannelView {
    const tools = compile(defs, project);
    return { channel, version, tools, byName: new Map(tools.map((t) => [t.def.name, t])), prompts: new Map(prompts.map((p) => [p.name, p])), instructions, stamp };
  }
}
