/**
 * Client authentication at the token and revocation endpoints (OAuth 2.1 §2.4), by the method the client
 * registered: `none` (public: client_id only), `client_secret_basic` (HTTP Basic, RFC 6749 §2.3.1 with
 * form-urlencoded parts) or `client_secret_post`. Secrets are compared as SHA-256 hashes in constant time.
 */
import type { Deps } from "../deps";
import type { OAuthClient } from "../db/schema";
import { OAuthError } from "../errors";
import { safeEqual, sha256 } from "../lib/crypto";
import { findClient } from "./clients";

function invalidClient(description: string, basic: boolean): OAuthError {
  // RFC 6749 §5.2: a failed Basic authentication answers 401 with a Basic challenge.
  return new OAuthError("invalid_client", description, 401, basic ? { "www-authenticate": 'Basic realm="portico"' } : {});
}

function parseBasic(header: string | null): { id: string; secret: string } | null {
  if (!header?.toLowerCase().startsWith("basic ")) return null;
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    throw invalidClient("The Basic credentials are not valid base64.", true);
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw invalidClient("The Basic credentials have no client secret.", true);
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient("The Basic credentials are not valid.", true);
  }
}

/** Authenticates the calling client; throws `invalid_client` (401) on any mismatch. */
export async function authenticateClient(deps: Deps, request: Request, form: Record<string, string>): Promise<OAuthClient> {
  const basic = parseBasic(request.headers.get("authorization"));
  if (basic && form.client_secret !== undefined) throw new OAuthError("invalid_request", "Use one client authentication method, not two.");
  if (basic && form.client_id !== undefined && form.client_id !== basic.id) {
    throw new OAuthError("invalid_request", "client_id differs from the Basic credentials.");
  }
  const clientId = basic?.id ?? form.client_id;
  if (!clientId) throw invalidClient("Client authentication is required: send client_id.", false);
  const client = await findClient(deps, clientId, 401);
  const method = client.tokenEndpointAuthMethod;
  const presented = basic ? basic.secret : form.client_secret;
  if (method === "none") {
    if (presented !== undefined) throw invalidClient("This client is public (token_endpoint_auth_method none): send no secret.", Boolean(basic));
    return client;
  }
  if (method === "client_secret_basic" && !basic) throw invalidClient("This client must authenticate with HTTP Basic (client_secret_basic).", true);
  if (method === "client_secret_post" && basic) throw invalidClient("This client must send client_secret in the body (client_secret_post).", true);
  if (!presented || !client.secretHash || !safeEqual(sha256(presented), client.secretHash)) {
    throw invalidClient("The client secret is wrong.", Boolean(basic));
  }
  return client;
}
