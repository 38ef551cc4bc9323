/**
 * The one place typed errors become responses. Each route family speaks its own error dialect:
 * OAuth JSON on token/register/revoke, the `{ error: { code, message, details } }` envelope on the JSON
 * API, JSON-RPC on MCP endpoints (see `toJsonRpc`), and a readable HTML page everywhere else.
 * Unknown errors are logged and answered generically: never a stack trace or `err.message`.
 */
import { AppError, JsonRpcError, OAuthError, RateLimitError, RPC, StorageUnavailableError } from "../errors";
import type { Logger } from "../lib/log";
import { messagePage } from "../web/layout";
import { SignInRequired, loginRedirect } from "../auth/current";

const OAUTH_JSON_PATHS = ["/oauth/token", "/oauth/register", "/oauth/revoke"];

export type ErrorDialect = "oauth" | "api" | "html";

export function dialectFor(path: string): ErrorDialect {
  if (OAUTH_JSON_PATHS.includes(path)) return "oauth";
  if (path.startsWith("/api/")) return "api";
  return "html";
}

/** Retry-After and RateLimit-* headers for a 429. */
export function rateLimitHeaders(error: AppError): Record<string, string> {
  if (!(error instanceof RateLimitError)) return {};
  const headers: Record<string, string> = { "retry-after": String(error.retryAfterSeconds) };
  if (error.limit !== undefined) {
    headers["ratelimit-limit"] = String(error.limit);
    headers["ratelimit-remaining"] = "0";
    headers["ratelimit-reset"] = String(error.retryAfterSeconds);
  }
  return headers;
}

/** SQLite result codes that mean the data directory cannot take writes (full, read-only, I/O), not a bug. */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/;

/** A storage failure as a 503 with a plain message; the log keeps SQLite's own words. */
function storageFailure(error: unknown): StorageUnavailableError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || typeof code !== "string" || !STORAGE_CODES.test(code)) return null;
  return new StorageUnavailableError("Portico cannot write to its database right now (disk full or read-only data directory). Try again later.");
}

/** Maps any thrown value to a response in the dialect of the route. */
export function errorResponse(error: unknown, path: string, log: Logger): Response {
  if (error instanceof SignInRequired) return loginRedirect(error.returnTo);
  const known = error instanceof AppError ? error : storageFailure(error);
  if (!(error instanceof AppError)) log.error({ err: error, path }, known ? "storage unavailable" : "unhandled error");
  const dialect = dialectFor(path);
  const status = known?.status ?? 500;
  const headers = known ? rateLimitHeaders(known) : {};
  if (dialect === "oauth" || known instanceof OAuthError) {
    const body = known instanceof OAuthError
      ? { error: known.code, error_description: known.message }
      : { error: known ? "invalid_request" : "server_error", error_description: known?.message ?? "internal error" };
    const extra = known instanceof OAuthError ? known.headers : {};
    return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers, ...extra } });
  }
  if (dialect === "api") {
    const body = { error: { code: known?.code ?? "internal", message: known?.message ?? "internal error", details: known?.details } };
    return Response.json(body, { status, headers });
  }
  const title = status === 404 ? "Not found" : status === 403 ? "Not allowed" : status >= 500 ? "Something went wrong" : "Request refused";
  const message = known?.message ?? "An unexpected error occurred. The details were logged for the administrator.";
  const res = messagePage(title, message, status);
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

/** JSON-RPC error object for an MCP request; unknown errors become -32603 without details. */
export function toJsonRpc(error: unknown, log: Logger): { code: number; message: string; data?: unknown } {
  if (error instanceof JsonRpcError) return { code: error.rpcCode, message: error.message, data: error.data };
  if (error instanceof AppError) {
    const code = error.status === 400 ? RPC.INVALID_PARAMS : error.status === 404 ? RPC.METHOD_NOT_FOUND : RPC.INTERNAL_ERROR;
    return { code, message: error.message, data: error.details };
  }
  log.error({ err: error }, "unhandled MCP error");
  return { code: RPC.INTERNAL_ERROR, message: "internal error" };
}
