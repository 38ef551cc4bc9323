/** Listing and calling management tools: visible only where the project offers them on this channel, and with their scope. */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ValidateFunction } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020";
import { AppError } from "../../errors";
import { JsonRpcError, RPC } from "../rpc-errors";
import { createAjv } from "../../projects/draft";
import type { RequestContext } from "../context";
import { managementOn } from "../../auth/scopes";
import { checkScope, holds } from "../permissions";
import { MANAGEMENT_TOOLS, type ManagementToolSpec } from "./definitions";
import { describeSchemaErrors } from "../../tools/schema-errors";

interface ManagementTool {
  spec: ManagementToolSpec;
  wire: Tool;
}

const PREFIX = "portico_";

/** Built once: the definitions are constants, not project data. */
const TOOLS: Map<string, ManagementTool> = new Map(
  MANAGEMENT_TOOLS.map((spec) => [
    spec.name,
    {
      spec,
      wire: {
        name: spec.name,
        description: spec.description,
        inputSchema: spec.inputSchema as Tool["inputSchema"],
        annotations: { readOnlyHint: spec.readOnly, destructiveHint: !spec.readOnly, openWorldHint: false },
      },
    },
  ]),
);

/**
 * Argument validators, compiled on a tool's first call instead of at start: creating the ajv and
 * compiling every management schema took ~250 ms, half of the binary's cold start (`npm run bench`).
 */
let ajv: Ajv2020 | null = null;
const validators = new Map<string, ValidateFunction>();

function validatorOf(spec: ManagementToolSpec): ValidateFunction {
  let validate = validators.get(spec.name);
  if (!validate) validators.set(spec.name, (validate = (ajv ??= createAjv()).compile(spec.inputSchema)));
  return validate;
}

export function isManagementTool(name: string): boolean {
  return name.startsWith(PREFIX);
}

/** The project offers management tools on this URL (off | draft | draft and production, issue 16 #3). */
function offered(ctx: RequestContext): boolean {
  return managementOn(ctx.project.managementTools, ctx.target.channel);
}

function enabled(ctx: RequestContext, spec: ManagementToolSpec): boolean {
  return offered(ctx) && holds(ctx, spec.scope);
}

export function visibleManagementTools(ctx: RequestContext): ManagementTool[] {
  if (ctx.principal.kind === "anonymous") return [];
  return [...TOOLS.values()].filter((t) => enabled(ctx, t.spec));
}

/** Runs a management tool; service errors (validation, conflicts) come back as `isError` results. */
export async function callManagementTool(ctx: RequestContext, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const tool = TOOLS.get(name);
  if (!tool || ctx.principal.kind === "anonymous" || !offered(ctx)) {
    throw new JsonRpcError(RPC.INVALID_PARAMS, `Unknown tool: "${name}". Call tools/list to see the tools of this channel.`);
  }
  if (!checkScope(ctx, tool.spec.scope)) {
    ctx.notes.errorClass = "auth";
    return { content: [{ type: "text", text: `Your role does not allow "${name}" (it needs the "${tool.spec.scope}" scope).` }], isError: true };
  }
  const validate = validatorOf(tool.spec);
  if (!validate(args)) throw new JsonRpcError(RPC.INVALID_PARAMS, `Invalid arguments for tool "${name}": ${describeSchemaErrors(validate.errors)}`);
  try {
    const structured = (await tool.spec.run(ctx, args)) as Record<string, unknown>;
    const text = tool.spec.text ? tool.spec.text(structured) : JSON.stringify(structured, null, 2);
    return { content: [{ type: "text", text }], structuredContent: structured };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    ctx.notes.errorClass = "configuration";
    ctx.notes.error = err.message;
    return { content: [{ type: "text", text: err.message }], isError: true };
  }
}
