/**
 * Management tools (DESIGN: Roles and scopes): `portico_*` tools that let a developer build a project
 * from inside a host. Each needs a scope; `publish` and `settings` ones also need the project switch.
 * They call the same services as the CLI, pages and API, and never return a secret value or a key.
 */
import { desc, eq } from "drizzle-orm";
import type { Scope } from "../../auth/scopes";
import { queryAudit } from "../../audit/query";
import { grants, oauthClients, users } from "../../db/schema";
import { listMembers } from "../../projects/orgs";
import {
  createDraftTool, deleteDraftTool, getDraftTool, listDraftTools, setInstructions, updateDraftTool,
} from "../../projects/draft";
import { listVersions, publish, rollback } from "../../projects/publish";
import { getProjectById } from "../../projects/projects";
import type { RequestContext } from "../context";
import type { z } from "zod";
import { inputJsonSchema, invoke, type AnyOperation, type ProjectOperation } from "../../services/operation";
import { duplicateTool } from "../../services/tool-duplicate";
import { managementAccess } from "./access";

export interface ManagementToolSpec {
  name: string;
  description: string;
  scope: Scope;
  /** Project switch that must be on (DESIGN: off until an admin turns it on). */
  flag?: "managementPublish" | "managementSettings";
  readOnly: boolean;
  inputSchema: Record<string, unknown>;
  run(ctx: RequestContext, args: Record<string, unknown>): unknown;
}

/**
 * A management tool that is a service operation: its input schema is the operation's (`inputJsonSchema`),
 * and it runs through `invoke` with the caller's access, so the permission rule and the audit event are
 * the operation's own (docs/architecture.md: Service layer).
 */
function fromOperation<S extends z.ZodType, O>(
  op: ProjectOperation<S, O>,
  tool: { name: string; scope: Scope; readOnly: boolean; flag?: ManagementToolSpec["flag"]; result: (output: O) => unknown },
): ManagementToolSpec {
  return {
    name: tool.name, scope: tool.scope, flag: tool.flag, readOnly: tool.readOnly, description: op.summary,
    get inputSchema() {
      return inputJsonSchema(op as unknown as AnyOperation);
    },
    run: async (ctx, args) => tool.result(await invoke(op, ctx.deps, managementAccess(ctx), args)),
  };
}

const obj = (properties: Record<string, unknown> = {}, required: string[] = []) => ({ type: "object", properties, required, additionalProperties: false });
const NAME = { type: "string", description: "Tool name" };
const actor = (ctx: RequestContext) => (ctx.principal.kind === "anonymous" ? null : ctx.principal.userId);

export const MANAGEMENT_TOOLS: ManagementToolSpec[] = [
  {
    name: "portico_list_tools", scope: "project:write", readOnly: true, inputSchema: obj(),
    description: "List the draft tools of this project (name, kind, title, description).",
    run: (ctx) => ({ tools: listDraftTools(ctx.deps, ctx.project.id).map((t) => ({ name: t.name, kind: t.kind, title: t.title ?? null, description: t.description })) }),
  },
  {
    name: "portico_get_tool", scope: "project:write", readOnly: true, inputSchema: obj({ name: NAME }, ["name"]),
    description: "Get one draft tool's full definition (secret names only, never values).",
    run: (ctx, a) => ({ tool: getDraftTool(ctx.deps, ctx.project.id, a.name as string) }),
  },
  {
    name: "portico_create_tool", scope: "project:write", readOnly: false,
    inputSchema: obj({ tool: { type: "object", description: "A tool definition as in the project manifest (name, kind, description, inputSchema, and html | script | url)." } }, ["tool"]),
    description: "Create a draft tool from a manifest tool definition. It goes live on the draft channel at once; publish to reach production.",
    run: (ctx, a) => ({ tool: createDraftTool(ctx.deps, ctx.project.id, a.tool) }),
  },
  {
    name: "portico_update_tool", scope: "project:write", readOnly: false,
    inputSchema: obj({ name: NAME, changes: { type: "object", description: "Fields to change; a published tool keeps its name." } }, ["name", "changes"]),
    description: "Change fields of a draft tool.",
    run: (ctx, a) => ({ tool: updateDraftTool(ctx.deps, ctx.project.id, a.name as string, a.changes as Record<string, unknown>) }),
  },
  fromOperation(duplicateTool, { name: "portico_duplicate_tool", scope: "project:write", readOnly: false, result: (tool) => ({ tool }) }),
  {
    name: "portico_delete_tool", scope: "project:write", readOnly: false, inputSchema: obj({ name: NAME }, ["name"]),
    description: "Delete a draft tool (production keeps it until the next publish).",
    run: (ctx, a) => (deleteDraftTool(ctx.deps, ctx.project.id, a.name as string), { deleted: a.name }),
  },
  {
    name: "portico_get_instructions", scope: "project:write", readOnly: true, inputSchema: obj(),
    description: "Read the project's instructions (sent to hosts at initialize).",
    run: (ctx) => ({ instructions: getProjectById(ctx.deps.db, ctx.project.id).instructions }),
  },
  {
    name: "portico_set_instructions", scope: "project:write", readOnly: false, inputSchema: obj({ instructions: { type: "string" } }, ["instructions"]),
    description: "Replace the project's instructions; they apply to new sessions on both channels at once.",
    run: (ctx, a) => (setInstructions(ctx.deps, ctx.project.id, a.instructions as string), { updated: true }),
  },
  {
    name: "portico_publish", scope: "publish", flag: "managementPublish", readOnly: false,
    inputSchema: obj({
      note: { type: "string", maxLength: 500 },
      confirm: { type: "boolean", description: "Publish even though some declared secrets have no production value (their calls will fail until an admin sets them)." },
    }),
    description: "Publish the draft as a new version and serve it on production. Refused, naming them, while declared secrets have no production value, unless confirm is true.",
    // Same rule as every other face (issue 11 #1): the refusal is an isError result naming the missing values.
    run: (ctx, a) => publish(ctx.deps, ctx.project.id, actor(ctx), a.note as string | undefined, { confirmMissingSecrets: a.confirm === true }),
  },
  {
    name: "portico_rollback", scope: "publish", flag: "managementPublish", readOnly: false, inputSchema: obj({ version: { type: "integer", minimum: 1 } }, ["version"]),
    description: "Serve an earlier published version on production.",
    run: (ctx, a) => rollback(ctx.deps, ctx.project.id, a.version as number, actor(ctx)),
  },
  {
    name: "portico_list_versions", scope: "publish", flag: "managementPublish", readOnly: true, inputSchema: obj(),
    description: "List published versions, newest first, with their diffs and which one is live.",
    run: (ctx) => ({ versions: listVersions(ctx.deps, ctx.project.id) }),
  },
  {
    name: "portico_query_audit", scope: "settings", flag: "managementSettings", readOnly: true,
    inputSchema: obj({
      tool: { type: "string" }, status: { enum: ["ok", "error"] }, channel: { enum: ["production", "draft"] },
      from: { type: "integer" }, to: { type: "integer" }, cursor: { type: "integer" }, limit: { type: "integer", minimum: 1, maximum: 100 },
    }),
    description: "Read this project's audit log of MCP requests, newest first (filters: tool, status, channel, time range).",
    run: (ctx, a) => queryAudit(ctx.deps.db, ctx.project.id, { limit: 20, ...a }),
  },
  {
    name: "portico_list_members", scope: "settings", flag: "managementSettings", readOnly: true, inputSchema: obj(),
    description: "List the organization's members and their roles.",
    run: (ctx) => ({ members: listMembers(ctx.deps.db, ctx.project.orgId) }),
  },
  {
    name: "portico_list_grants", scope: "settings", flag: "managementSettings", readOnly: true, inputSchema: obj(),
    description: "List the apps users have authorized for this project (no tokens).",
    run: (ctx) => ({
      grants: ctx.deps.db
        .select({
          id: grants.id, user: users.email, client: oauthClients.name, channel: grants.channel, scopes: grants.scopes,
          createdAt: grants.createdAt, lastUsedAt: grants.lastUsedAt, revokedAt: grants.revokedAt,
        })
        .from(grants)
        .innerJoin(users, eq(users.id, grants.userId))
        .leftJoin(oauthClients, eq(oauthClients.id, grants.clientId))
        .where(eq(grants.projectId, ctx.project.id))
        .orderBy(desc(grants.createdAt))
        .limit(200)
        .all(),
    }),
  },
];
