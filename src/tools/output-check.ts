/**
 * A tool's outcome as the caller receives it (MCP 2025-11-25 §Tools, "Output Schema": a server MUST provide
 * structured results that conform to the tool's outputSchema): a failure keeps its class, and a success
 * whose structured content does not match `outputSchema` becomes a tool error naming why. One rule for an
 * MCP `tools/call` and a test run from the tool's page.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ValidateFunction } from "ajv";
import { errorResult } from "./result";
import { describeSchemaErrors } from "./schema-errors";
import type { ErrorClass, ToolOutcome } from "./types";

export interface CheckedOutcome {
  result: CallToolResult;
  /** Set when the caller gets an `isError` result: what the audit row records. */
  errorClass?: ErrorClass;
  error?: string;
}

export function checkToolOutput(validate: ValidateFunction | null, outcome: Pick<ToolOutcome, "result" | "errorClass" | "error">): CheckedOutcome {
  const result = outcome.result;
  if (result.isError) return { result, errorClass: outcome.errorClass ?? "tool", error: outcome.error };
  if (validate && (result.structuredContent === undefined || !validate(result.structuredContent))) {
    const why = result.structuredContent === undefined ? "it returned no structured content" : describeSchemaErrors(validate.errors);
    return { result: errorResult(`The tool's output does not match its outputSchema: ${why}.`), errorClass: "tool", error: `output does not match outputSchema: ${why}` };
  }
  return { result };
}
