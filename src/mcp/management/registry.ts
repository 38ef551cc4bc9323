/** Listing and calling management tools: visible only with their scope (and project switch). */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ValidateFunction } from "ajv";
import { AppError, JsonRpcError, RPC } from "../../errors";
import { createAjv } from "../../projects/draft";
import type { RequestContext } from "../context";
import { checkScope, holds } from "../permissions";
import { MANAGEMENT_TOOLS, type ManagementToolSpec } from "./definitions";
import { describeSchemaErrors } from "../schema-errors";

interface CompiledManagementTool {
  spec: ManagementToolSpec;
  wire: Tool;
  validate: ValidateFunction;
}

const PREFIX = "portico_";

/** Compiled once: the definitions are constants, not project data. */
const COMPILED: Map<string, CompiledManagementTool> = (() => {
  const ajv = createAjv();
  return new Map(
    MANAGEMENT_TOOLS.map((spec) => [
      spec.name,
      {
        spec,
        validate: ajv.compile(spec.inputSchema),
        wire: {
          name: spec.name,
          description: spec.description,
          inputSchema: spec.inputSchema as Tool["inputSchema"],
          annotations: { readOnlyHint: spec.readOnly, destructiveHint: !spec.readOnly, openWorldHint: false },
        },
      },
    ]),
  );
})();

export function isManagementTool(name: string): boolean {
  return name.startsWith(PREFIX);
}

function enabled(ctx: RequestContext, spec: ManagementToolSpec): boolean {
  return (!spec.flag || ctx.project[spec.flag]) && holds(ctx, spec.scope);
}

export function visibleManagementTools(ctx: RequestContext): CompiledManagementTool[] {
  if (ctx.principal.kind === "anonymous") return [];
  return [...COMPILED.values()].filter((t) => enabled(ctx, t.spec));
}

/** Runs a management tool; service errors (validation, conflicts) come back as `isError` results. */
export function callManagementTool(ctx: RequestContext, name: string, args: Record<string, unknown>): CallToolResult {
  const tool = COMPILED.get(name);
  if (!tool || ctx.principal.kind === "anonymous" || (tool.spec.flag && !ctx.project[tool.spec.flag])) {
    throw new JsonRpcError(RPC.INVALID_PARAMS, `Unknown tool: "${name}". Call tools/list to see the tools of this channel.`);
  }
  if (!checkScope(ctx, tool.spec.scope)) {
    ctx.notes.errorClass = "auth";
    return { content: [{ type: "text", text: `Your role does not allow "${name}" (it needs the "${tool.spec.scope}" scope).` }], isError: true };
  }
  if (!tool.validate(args)) throw new JsonRpcError(RPC.INVALID_PARAMS, `Invalid arguments for tool "${name}": ${describeSchemaErrors(tool.validate.errors)}`);
  try {
    const structured = tool.spec.run(ctx, args) as Record<string, unknown>;
    return { content: [{ type: "text", text: JSON.stringify(structured, null, 2) }], structuredContent: structured };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    ctx.notes.errorClass = "configuration";
    ctx.notes.error = err.message;
    return { content: [{ type: "text", text: err.message }], isError: true };
  }
}
