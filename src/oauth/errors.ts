/**
 * One class per OAuth error code, each with the status its RFC gives it (docs/architecture.md, "Error
 * model"): RFC 6749 §4.1.2.1 and §5.2, RFC 7009 §2.2.1, RFC 7591 §3.2.2, RFC 8707 §2, RFC 6750 §3.1.
 * The OAuth faces render them as `{ error, error_description }` (`src/oauth/http.ts`). Descriptions are
 * plain words that are safe to show; they never contain a credential.
 */
import type { z } from "zod";
import { OAuthError } from "../errors";

type Headers = Record<string, string>;

/** RFC 6749 §5.2: a parameter is missing, repeated, malformed or unsupported. */
export class InvalidRequestError extends OAuthError {
  constructor(description: string) {
    super("invalid_request", description);
  }
}

/**
 * RFC 6749 §5.2: client authentication failed. 401 at the token and revocation endpoints, with a
 * `WWW-Authenticate: Basic` challenge when the client tried Basic; 400 elsewhere (RFC 7591 registration).
 */
export class InvalidClientError extends OAuthError {
  constructor(description: string, opts: { status?: number; basic?: boolean } = {}) {
    super("invalid_client", description, opts.status ?? 400, opts.basic ? { "www-authenticate": 'Basic realm="portico"' } : {});
  }
}

/** RFC 6749 §5.2: the code or refresh token is invalid, expired, revoked or was issued to another client. */
export class InvalidGrantError extends OAuthError {
  constructor(description: string) {
    super("invalid_grant", description);
  }
}

/** RFC 6749 §5.2: this client may not use this grant type. */
export class UnauthorizedClientError extends OAuthError {
  constructor(description: string) {
    super("unauthorized_client", description);
  }
}

/** RFC 6749 §5.2: the grant type is not supported by this server. */
export class UnsupportedGrantTypeError extends OAuthError {
  constructor(description: string) {
    super("unsupported_grant_type", description);
  }
}

/** RFC 7009 §2.2.1: the server cannot revoke this type of token. */
export class UnsupportedTokenTypeError extends OAuthError {
  constructor(description: string) {
    super("unsupported_token_type", description);
  }
}

/** RFC 6749 §5.2: the requested scope is invalid, unknown, or exceeds what was granted. */
export class InvalidScopeError extends OAuthError {
  constructor(description: string) {
    super("invalid_scope", description);
  }
}

/** RFC 8707 §2: the `resource` is not a resource this server issues tokens for. */
export class InvalidTargetError extends OAuthError {
  constructor(description: string) {
    super("invalid_target", description);
  }
}

/** RFC 7591 §3.2.2: a client metadata field is invalid. */
export class InvalidClientMetadataError extends OAuthError {
  constructor(description: string) {
    super("invalid_client_metadata", description);
  }
}

/** RFC 7591 §3.2.2: a redirect URI is invalid. */
export class InvalidRedirectUriError extends OAuthError {
  constructor(description: string) {
    super("invalid_redirect_uri", description);
  }
}

/** RFC 6749 §4.1.2.1: the user or the server refused the authorization request. */
export class AccessDeniedError extends OAuthError {
  constructor(description: string) {
    super("access_denied", description, 403);
  }
}

/**
 * RFC 6750 §3.1: the access token is missing, expired, revoked or malformed: 401 with the resource's
 * `WWW-Authenticate` challenge (built by the caller, which knows the resource; RFC 9728 §5.1).
 */
export class InvalidTokenError extends OAuthError {
  constructor(description: string, challenge?: string) {
    super("invalid_token", description, 401, challenge ? { "www-authenticate": challenge } : {});
  }
}

/** RFC 6750 §3.1: the token lacks a scope this request needs: 403 with a challenge naming it. */
export class InsufficientScopeError extends OAuthError {
  constructor(description: string, challenge?: string) {
    super("insufficient_scope", description, 403, challenge ? { "www-authenticate": challenge } : {});
  }
}

/** RFC 6749 §5.2 / §4.1.2.1: the server failed; the description stays generic. */
export class ServerError extends OAuthError {
  constructor(description = "internal error") {
    super("server_error", description, 500);
  }
}

/** RFC 6749 §4.1.2.1: the server cannot handle the request now (overload, maintenance, storage). */
export class TemporarilyUnavailableError extends OAuthError {
  constructor(description: string, headers: Headers = {}) {
    super("temporarily_unavailable", description, 503, headers);
  }
}

/** `invalid_grant` description for a code or refresh token minted while Portico had another public URL (SEP-2352). */
export const ANOTHER_ISSUER = "This credential was issued by another authorization server (Portico under a different public URL); authorize the app again.";

// Short forms for `throw invalidGrant("…")` at the many call sites of the endpoints.
export const invalidRequest = (description: string) => new InvalidRequestError(description);
export const invalidGrant = (description: string) => new InvalidGrantError(description);
export const invalidTarget = (description: string) => new InvalidTargetError(description);
export const invalidScope = (description: string) => new InvalidScopeError(description);
export const unsupportedGrantType = (description: string) => new UnsupportedGrantTypeError(description);
export const invalidClientMetadata = (description: string) => new InvalidClientMetadataError(description);
export const invalidRedirectUri = (description: string) => new InvalidRedirectUriError(description);
export const invalidClient = (description: string, opts: { status?: number; basic?: boolean } = {}) => new InvalidClientError(description, opts);

/** Parses request parameters; the first problem becomes `invalid_request`. */
export function parseParams<S extends z.ZodType>(schema: S, params: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw invalidRequest(parsed.error.issues[0]!.message);
  return parsed.data;
}
