/**
 * What a management tool is (`portico_*`, docs/architecture.md: Roles and scopes): a scope (the project setting decides the channels),
 * and — for tools that are service operations — the operation's own schema, rule and audit event.
 */
import type { z } from "zod";
import type { Scope } from "../../auth/scopes";
import { inputJsonSchema, invoke, type AnyOperation, type ProjectOperation } from "../../services/operation";
import type { RequestContext } from "../context";
import { managementAccess } from "./access";

export interface ManagementToolSpec {
  name: string;
  description: string;
  scope: Scope;
  readOnly: boolean;
  inputSchema: Record<string, unknown>;
  run(ctx: RequestContext, args: Record<string, unknown>): unknown;
  /** The result's text content for hosts that show text (default: the structured result as JSON). */
  text?(structured: Record<string, unknown>): string;
}

/**
 * A management tool that is a service operation: its input schema is the operation's (`inputJsonSchema`),
 * and it runs through `invoke` with the caller's access, so the permission rule and the audit event are
 * the operation's own (docs/architecture.md: Service layer).
 */
export function fromOperation<S extends z.ZodType, O>(
  op: ProjectOperation<S, O>,
  tool: { name: string; scope: Scope; readOnly: boolean; result: (output: O) => unknown; text?: (structured: Record<string, unknown>) => string },
): ManagementToolSpec {
  return {
    name: tool.name, scope: tool.scope, readOnly: tool.readOnly, description: op.summary, ...(tool.text ? { text: tool.text } : {}),
    get inputSchema() {
      return inputJsonSchema(op as unknown as AnyOperation);
    },
    run: async (ctx, args) => tool.result(await invoke(op, ctx.deps, await managementAccess(ctx), args)),
  };
}
