/**
 * The MCP endpoints' error format, installed as the MCP plugin's local onError (docs/architecture.md,
 * "Error model"). What reaches it failed the whole HTTP request — a guard check, the body, the parser, or
 * an OAuth step-up thrown mid-call — so it is answered as one JSON-RPC error with id null (JSON-RPC 2.0
 * §5: the id could not be determined) and an HTTP status, plus the request's CORS headers. Errors of a
 * single request inside a message never get here: they become that request's reply (`rpc-errors.ts`).
 */
import { knownError, OAuthError, RateLimitError, type AppError, type ErrorLog } from "../errors";
import type { Config } from "../config";
import { corsHeaders } from "../http/cors";
import { fromElysia, type ElysiaErrorInput } from "../http/errors";
import { errorMessage } from "./rpc";
import { JsonRpcError, RPC, type RpcCode } from "./rpc-errors";

/** The JSON-RPC code of a known error that failed the whole request. */
function transportCode(error: AppError): RpcCode {
  if (error instanceof JsonRpcError) return error.rpcCode;
  if (error instanceof RateLimitError) return RPC.RATE_LIMITED;
  return error.status >= 500 ? RPC.INTERNAL_ERROR : RPC.INVALID_REQUEST;
}

/**
 * A thrown value as the MCP endpoint's response. OAuth failures keep their RFC 6750 form (the host reads
 * `WWW-Authenticate` to start or step up authorization); everything else is a JSON-RPC error.
 */
export function mcpErrorResponse(error: unknown, request: Request, config: Pick<Config, "publicUrl" | "allowedOrigins">, log: ErrorLog): Response {
  const cors = corsHeaders(request, config);
  const known = knownError(error, log, { path: new URL(request.url).pathname });
  if (known instanceof OAuthError) {
    return Response.json(known.body(), { status: known.status, headers: { ...cors, ...known.headers, "cache-control": "no-store" } });
  }
  if (!known) return Response.json(errorMessage(null, { code: RPC.INTERNAL_ERROR, message: "internal error" }), { status: 500, headers: cors });
  const data = known instanceof JsonRpcError && known.data !== undefined ? { data: known.data } : {};
  return Response.json(errorMessage(null, { code: transportCode(known), message: known.message, ...data }), { status: known.status, headers: { ...cors, ...known.headers } });
}

/** `onError` of the MCP plugin. */
export function mcpErrors(config: Pick<Config, "publicUrl" | "allowedOrigins">, log: ErrorLog) {
  return ({ code, error, request }: ElysiaErrorInput) => mcpErrorResponse(fromElysia(code, error), request, config, log);
}
