/**
 * Typed errors. Each failure kind is a class; `src/http/errors.ts` maps them to the wire form the route
 * speaks (OAuth JSON, JSON-RPC, the JSON API envelope, or an HTML page). `message` is always safe to show
 * to the client; anything that is not an AppError becomes a generic 500 and is only logged.
 */
export class AppError extends Error {
  /** HTTP status for this failure. */
  readonly status: number = 500;
  /** Stable machine-readable code (API envelope `error.code`). */
  readonly code: string = "internal";
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = "invalid_input";
}
export class UnauthenticatedError extends AppError {
  override readonly status = 401;
  override readonly code = "unauthenticated";
}
export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = "forbidden";
}
export class CsrfError extends AppError {
  override readonly status = 403;
  override readonly code = "csrf";
}
export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = "not_found";
}
export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly code = "conflict";
}
export class PayloadTooLargeError extends AppError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}
/** The data directory cannot be written (disk full, read-only, no permission): nothing the client did wrong. */
export class StorageUnavailableError extends AppError {
  override readonly status = 503;
  override readonly code = "storage_unavailable";
}
export class RateLimitError extends AppError {
  override readonly status = 429;
  override readonly code = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit?: number,
  ) {
    super(message);
  }
}

/** Turns a zod error into a ValidationError naming each bad field. */
export function fromZod(error: { issues: { path: PropertyKey[]; message: string }[] }): ValidationError {
  const details = error.issues.map((i) => ({ field: i.path.map(String).join(".") || "(body)", message: i.message }));
  const first = details[0];
  return new ValidationError(first ? `${first.field}: ${first.message}` : "invalid input", details);
}

/**
 * An RFC 6749 / 7591 / 6750 error: `oauthCode` is the wire `error`, `message` the `error_description`.
 * `headers` carries e.g. `WWW-Authenticate` for 401/403 on protected resources.
 */
export class OAuthError extends AppError {
  override readonly code: string;
  override readonly status: number;
  constructor(
    oauthCode: string,
    description: string,
    status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.code = oauthCode;
    this.status = status;
  }
}

/** A JSON-RPC error with a standard code (-32700 … -32603) or an MCP-specific one. */
export class JsonRpcError extends AppError {
  override readonly code = "jsonrpc";
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data?: unknown,
    override readonly status = 200,
  ) {
    super(message);
  }
}

export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** MCP: resource not found. */
  RESOURCE_NOT_FOUND: -32002,
} as const;
