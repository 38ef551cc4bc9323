/** Management tools that build the project: draft tools, instructions, publish and rollback. */
import {
  createDraftTool, deleteDraftTool, getDraftTool, listDraftTools, setInstructions, updateDraftTool,
} from "../../projects/draft";
import { listVersions, publish, rollback } from "../../projects/publish";
import { getProjectById } from "../../projects/projects";
import { duplicateTool } from "../../services/tool-duplicate";
import { actor, fromOperation, obj, type ManagementToolSpec } from "./spec";

const NAME = { type: "string", description: "Tool name" };

export const CONTENT_TOOLS: ManagementToolSpec[] = [
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
  },];
