/**
 * Turning what a handler produced into an MCP `CallToolResult` (MCP 2025-11-25, Tools § Tool Result):
 * `structuredContent` must be a JSON object, and a tool returning structured content SHOULD also return
 * it serialised in a text block for clients that do not read it.
 */
import { CallToolResultSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** Largest serialised result a handler may return. */
export const MAX_RESULT_CHARS = 1024 * 1024;

/** An `isError` result whose text is safe to show to the caller. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/** A plain JSON value as structured content (non-objects wrapped as `{ result }`) plus its text rendering. */
export function jsonResult(value: unknown): CallToolResult {
  if (value === undefined) return { content: [] };
  const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return {
    content: [{ type: "text", text }],
    structuredContent: isObject ? (value as Record<string, unknown>) : { result: value },
  };
}

/**
 * A handler's return value: a full MCP result (`{ content: [...] }`, validated) passes through; anything
 * else is a plain JSON value. Returns an error message instead when the result is malformed or too big.
 */
export function handlerResult(value: unknown): { result: CallToolResult } | { error: string } {
  if (value !== undefined && JSON.stringify(value).length > MAX_RESULT_CHARS) {
    return { error: `the handler's result is larger than ${MAX_RESULT_CHARS} characters` };
  }
  const looksLikeMcp = value !== null && typeof value === "object" && Array.isArray((value as { content?: unknown }).content);
  if (!looksLikeMcp) return { result: jsonResult(value) };
  const parsed = CallToolResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `the handler returned an invalid MCP result: ${issue.path.join(".") || "(result)"}: ${issue.message}` };
  }
  // Only the fields of a tool result pass: the SDK schema keeps unknown keys, and a handler (or the remote
  // behind an http tool) must not be able to pose as the protocol — a `resultType: "input_required"` with
  // its own `inputRequests`, or caching hints (MCP 2026-07-28 §MRTR: only the server asks).
  const { content, structuredContent, isError, _meta } = parsed.data as CallToolResult;
  return {
    result: {
      content,
      ...(structuredContent !== undefined ? { structuredContent } : {}),
      ...(isError !== undefined ? { isError } : {}),
      ...(_meta !== undefined ? { _meta } : {}),
    },
  };
}
