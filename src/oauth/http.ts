/**
 * HTTP plumbing shared by the OAuth endpoints: CORS for browser-based clients (MCP Inspector in direct
 * mode; MCP 2025-11-25 §Authorization), bodies read by hand so every malformed request gets an RFC error
 * instead of a framework 422, and the OAuth JSON endpoints' error format (RFC 6749 §5.2, with CORS).
 */
import { knownError, OAuthError, type ErrorLog } from "../errors";
import { ALLOW_HEADERS, EXPOSE_HEADERS } from "../http/cors";
import { fromElysia, type ElysiaErrorInput } from "../http/errors";
import { invalidClientMetadata, invalidRequest, ServerError } from "./errors";

/**
 * Public, credential-less CORS: the OAuth endpoints take no cookies, so any origin may read them. The
 * header lists are the MCP endpoints' (`src/http/cors.ts`), the same on the well-known documents, register and token.
 */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": EXPOSE_HEADERS,
};

const PREFLIGHT_HEADERS: Record<string, string> = {
  ...CORS_HEADERS,
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": `${ALLOW_HEADERS}, Accept`,
  "access-control-max-age": "86400",
};

/** Answers a CORS preflight. */
export function preflight(): Response {
  return new Response(null, { status: 204, headers: PREFLIGHT_HEADERS });
}

/** JSON with CORS and, for token material, `Cache-Control: no-store` (OAuth 2.1 §3.2.3). */
export function json(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...CORS_HEADERS, "cache-control": "no-store", ...extra } });
}

/** Bodies above this are refused: no OAuth request is anywhere near it. */
const MAX_BODY = 64 * 1024;

async function readBody(request: Request, maxBytes = MAX_BODY, tooLarge = () => invalidRequest("The request body is too large.")): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBytes) throw tooLarge();
  return text;
}

/** Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2); a repeated parameter is an error. */
export async function readForm(request: Request): Promise<Record<string, string>> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw invalidRequest("Send the parameters as application/x-www-form-urlencoded.");
  }
  const params = new URLSearchParams(await readBody(request));
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
    if (k in out) throw invalidRequest(`The parameter ${k.slice(0, 40)} is repeated.`);
    out[k] = v;
  }
  return out;
}

/** Reads a JSON object body of at most `maxBytes`; anything else is `invalid_client_metadata` (RFC 7591 §3.2.2). */
export async function readJsonObject(request: Request, maxBytes = MAX_BODY): Promise<Record<string, unknown>> {
  const text = await readBody(request, maxBytes, () => invalidClientMetadata(`The body is larger than ${maxBytes} bytes.`));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidClientMetadata("The body must be a JSON object.");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw invalidClientMetadata("The body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/**
 * A thrown value as RFC 6749 §5.2 JSON with CORS and `no-store`: an OAuthError as itself; any other known
 * error as `invalid_request` with its safe message and status (RFC 6749 has no code for "not found");
 * anything unknown as a generic 500 `server_error`, logged.
 */
export function oauthErrorResponse(error: unknown, log: ErrorLog, path: string): Response {
  const known = knownError(error, log, { path });
  const oauth = known instanceof OAuthError ? known : known ? new OAuthError("invalid_request", known.message, known.status, known.headers) : new ServerError();
  return json(oauth.body(), oauth.status, oauth.headers);
}

/** `onError` of the OAuth JSON endpoints (register, token, revoke). */
export function oauthErrors(log: ErrorLog) {
  return ({ code, error, request }: ElysiaErrorInput) => oauthErrorResponse(fromElysia(code, error), log, new URL(request.url).pathname);
}
