/**
 * Validation of an authorization request (OAuth 2.1 §4.1.1, RFC 8707, MCP Authorization 2025-11-25).
 * Order matters: until the client and its redirect URI are known good, errors are shown on a page and
 * never redirected (OAuth 2.1 §4.1.2.1: "MUST NOT automatically redirect the user-agent to the invalid
 * redirection URI"); after that, errors go back to the client with `state` and `iss` — automatically only
 * when Portico trusts the redirect URI (RFC 9700 §4.11.1, error-redirect-policy.ts), else through a link on
 * an error page that the user follows.
 */
import { withDetail } from "../doctor/handshake";
import { z } from "zod";
import type { Deps } from "../deps";
import type { OAuthClient } from "../db/schema";
import { OAuthError } from "../errors";
import { findClient } from "./clients";
import { redirectUriMatches } from "./redirect-uri";
import { redirectsErrorsAutomatically } from "./error-redirect-policy";
import { resolveResource, type ResourceTarget } from "./resource";

/** A problem shown on a Portico page because redirecting is not (yet) safe. */
export class AuthorizePageError extends Error {}

/**
 * A problem reported to the client at its validated redirect URI (RFC 6749 §4.1.2.1); `automatic`: the
 * browser may be sent there at once (after a user decision, or a trusted redirect URI, RFC 9700 §4.11.1).
 */
export class AuthorizeRedirectError extends Error {
  constructor(
    readonly redirectUri: string,
    readonly state: string | undefined,
    readonly error: string,
    description: string,
    readonly automatic = true,
  ) {
    super(description);
  }
}

const param = z.string().max(2000).optional();

/** The query of an authorization request; every value is checked again by `validateAuthorizeRequest`. */
export const AuthorizeParamsSchema = z.object({
  response_type: param,
  client_id: param,
  redirect_uri: param,
  state: z.string().max(1000).optional(),
  scope: z.string().max(1000).optional(),
  code_challenge: param,
  code_challenge_method: param,
  resource: param,
  prompt: param,
});

/** An authorization request whose client and redirect URI are known good. */
export interface ValidAuthorizeRequest {
  client: OAuthClient;
  redirectUri: string;
  state?: string;
  scope?: string;
  codeChallenge: string;
  /** Null when the client sent no `resource`: the consent page then asks for the project and channel. */
  target: ResourceTarget | null;
}

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Validates the query of GET /oauth/authorize (`ip`: the requester's); throws AuthorizePageError or AuthorizeRedirectError. */
export async function validateAuthorizeRequest(deps: Deps, query: URLSearchParams, ip: string): Promise<ValidAuthorizeRequest> {
  for (const key of new Set(query.keys())) {
    if (query.getAll(key).length > 1) throw new AuthorizePageError(`The parameter ${key.slice(0, 40)} is repeated.`);
  }
  const parsed = AuthorizeParamsSchema.safeParse(Object.fromEntries(query));
  if (!parsed.success) throw new AuthorizePageError("The authorization request has a malformed parameter.");
  const p = parsed.data;
  if (!p.client_id) throw new AuthorizePageError("The authorization request has no client_id.");
  let client: OAuthClient;
  try {
    client = await findClient(deps, p.client_id, { ip });
  } catch (err) {
    if (err instanceof OAuthError) throw new AuthorizePageError(err.message);
    throw err;
  }
  // Required although OAuth 2.1 §4.1.1 lets a client with one registered URI omit it: then the token
  // request could omit it too, and the exact-match check at the token endpoint would have nothing to compare.
  const redirectUri = p.redirect_uri;
  if (!redirectUri) throw new AuthorizePageError("The authorization request has no redirect_uri.");
  if (!redirectUriMatches(client.redirectUris, redirectUri)) {
    throw withDetail(new AuthorizePageError("The redirect_uri is not one the app registered, so Portico will not send you there."), { redirectRefused: true });
  }
  // Issue 11 #7: no user has interacted yet, so only a trusted redirect URI is redirected to at once.
  const automatic = redirectsErrorsAutomatically(client, redirectUri);
  const fail = (error: string, description: string) => new AuthorizeRedirectError(redirectUri, p.state, error, description, automatic);
  if (p.response_type !== "code") throw fail("unsupported_response_type", "Only response_type=code is supported.");
  if (!p.code_challenge) throw fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256.");
  if (p.code_challenge_method !== "S256") throw fail("invalid_request", "Only the S256 code_challenge_method is supported.");
  if (!S256_CHALLENGE.test(p.code_challenge)) throw fail("invalid_request", "code_challenge is not a valid S256 challenge.");
  let target: ResourceTarget | null = null;
  if (p.resource !== undefined) {
    target = await resolveResource(deps, p.resource);
    if (!target) throw fail("invalid_target", "The resource is not an MCP server of this Portico.");
  }
  return { client, redirectUri, state: p.state, scope: p.scope, codeChallenge: p.code_challenge, target };
}

/** The URL the browser is sent back to: `params` plus RFC 9207 `iss`. */
export function clientRedirect(redirectUri: string, issuer: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  url.searchParams.set("iss", issuer);
  return url.href;
}
