/**
 * One constructor per OAuth error code (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707 §2, RFC 6750 §3.1), all
 * built on the app's `OAuthError` so `src/http/errors.ts` renders them. Descriptions are plain words that
 * are safe to show; they never contain a credential.
 */
import type { z } from "zod";
import { OAuthError } from "../errors";

export const invalidRequest = (description: string) => new OAuthError("invalid_request", description);
export const invalidGrant = (description: string) => new OAuthError("invalid_grant", description);
export const invalidTarget = (description: string) => new OAuthError("invalid_target", description);
export const invalidScope = (description: string) => new OAuthError("invalid_scope", description);
export const unsupportedGrantType = (description: string) => new OAuthError("unsupported_grant_type", description);
export const invalidClientMetadata = (description: string) => new OAuthError("invalid_client_metadata", description);
export const invalidRedirectUri = (description: string) => new OAuthError("invalid_redirect_uri", description);

/** `invalid_client`: 401 at the token/revocation endpoints (with a Basic challenge after Basic, §5.2), 400 elsewhere. */
export function invalidClient(description: string, opts: { status?: number; basic?: boolean } = {}): OAuthError {
  const headers: Record<string, string> = opts.basic ? { "www-authenticate": 'Basic realm="portico"' } : {};
  return new OAuthError("invalid_client", description, opts.status ?? 400, headers);
}

/** Parses request parameters; the first problem becomes `invalid_request`. */
export function parseParams<S extends z.ZodType>(schema: S, params: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw invalidRequest(parsed.error.issues[0]!.message);
  return parsed.data;
}
