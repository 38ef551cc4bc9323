/**
 * JSON-RPC errors of the MCP endpoints (docs/architecture.md, "Error model"): the one table of codes, the
 * error class that carries one, and how any thrown value becomes a JSON-RPC error object.
 *
 * JSON-RPC 2.0 §5.1 reserves -32768..-32000; -32700 and -32600..-32603 are its own, -32000..-32099 are
 * "server error" codes an implementation defines. MCP 2025-11-25 uses -32002 for "resource not found".
 * Each code below has exactly ONE meaning (test/mcp/rpc-codes.test.ts reads this table); a meaning that
 * needs a new code gets the next free one here, never a literal at the throw site.
 */
import { AppError, knownError, RateLimitError, type ErrorLog } from "../errors";

export const RPC = {
  /** The body is not JSON (JSON-RPC 2.0 §5.1). */
  PARSE_ERROR: -32700,
  /** Not a valid JSON-RPC message, or a transport-level refusal whose HTTP status says why (Origin, size, media type, unknown project). */
  INVALID_REQUEST: -32600,
  /** Only for a method Portico does not serve (JSON-RPC 2.0 §5.1) — never for "something is missing". */
  METHOD_NOT_FOUND: -32601,
  /** The params (or a tool's arguments) are wrong or name something that does not exist. */
  INVALID_PARAMS: -32602,
  /** Portico failed; the message is generic unless the failure is a known one (e.g. storage full). */
  INTERNAL_ERROR: -32603,
  /** Too many requests from this credential or address, or too many open streams (HTTP 429 for a whole request). Kept from the first landing. */
  RATE_LIMITED: -32000,
  /** The Mcp-Session-Id is unknown, ended or belongs to another credential (HTTP 404; the code the MCP SDK uses). Kept from the first landing. */
  SESSION_NOT_FOUND: -32001,
  /** MCP 2025-11-25 §Resources "Error Handling": resources/read of an unknown URI. */
  RESOURCE_NOT_FOUND: -32002,
  /** The production channel has nothing published yet. Moved from -32000 (where it collided with RATE_LIMITED). */
  NOT_PUBLISHED: -32003,
  /** The caller's role does not allow the method's scope. Moved from -32001 (where it collided with SESSION_NOT_FOUND). */
  SCOPE_DENIED: -32004,
  /** MCP 2026-07-28 §Streamable HTTP: an Mcp-Method / Mcp-Name / Mcp-Param-* header disagrees with the body (HTTP 400). */
  HEADER_MISMATCH: -32020,
  /** MCP 2026-07-28: serving the request needs a client capability the request's `_meta` did not declare (HTTP 400; `data.requiredCapabilities`). */
  MISSING_CLIENT_CAPABILITY: -32021,
  /** MCP 2026-07-28 §Versioning: the requested protocol version is not one Portico speaks (HTTP 400; `data.supported`, `data.requested`). */
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

export type RpcCode = (typeof RPC)[keyof typeof RPC];

/** A JSON-RPC error object (JSON-RPC 2.0 §5.1). */
export type RpcErrorBody = { code: number; message: string; data?: unknown };

/**
 * A JSON-RPC error. Thrown inside a method it becomes that request's error reply (HTTP 200); thrown by
 * the transport (guard, body reader, parser) it is the whole response, with `status` and `headers`.
 */
export class JsonRpcError extends AppError {
  override readonly code = "jsonrpc";
  override readonly headers: Record<string, string>;
  constructor(
    readonly rpcCode: RpcCode,
    message: string,
    readonly data?: unknown,
    override readonly status = 200,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.headers = headers;
  }
}

/**
 * The JSON-RPC error object for anything thrown while running a request. Known errors keep their safe
 * message; a ValidationError or NotFoundError is about the params (-32602); a rate limit keeps its own
 * code; unknown errors are logged and become a generic -32603.
 */
export function toRpcError(error: unknown, log: ErrorLog): RpcErrorBody {
  if (error instanceof JsonRpcError) return { code: error.rpcCode, message: error.message, data: error.data };
  const known = knownError(error, log, { face: "mcp" });
  if (!known) return { code: RPC.INTERNAL_ERROR, message: "internal error" };
  return { code: rpcCodeOf(known), message: known.message, data: known.details };
}

function rpcCodeOf(error: AppError): RpcCode {
  if (error instanceof RateLimitError) return RPC.RATE_LIMITED;
  if (error.status === 400 || error.status === 404) return RPC.INVALID_PARAMS;
  return RPC.INTERNAL_ERROR;
}
