/**
 * Client authentication at the token and revocation endpoints (OAuth 2.1 §2.4), by the method the client
 * registered: `none` (public: client_id only), `client_secret_basic` (HTTP Basic, RFC 6749 §2.3.1 with
 * form-urlencoded parts) or `client_secret_post`. Secrets are compared as SHA-256 hashes in constant time.
 */
import type { Deps } from "../deps";
import type { OAuthClient } from "../db/schema";
import { safeEqual, sha256 } from "../lib/crypto";
import { findClient } from "./clients";
import { invalidClient, invalidRequest } from "./errors";

/** RFC 6749 §5.2: failed client authentication answers 401, with a Basic challenge after Basic. */
const refuse = (description: string, basic: boolean) => invalidClient(description, { status: 401, basic });

function parseBasic(header: string | null): { id: string; secret: string } | null {
  if (!header?.toLowerCase().startsWith("basic ")) return null;
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    throw refuse("The Basic credentials are not valid base64.", true);
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw refuse("The Basic credentials have no client secret.", true);
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    throw refuse("The Basic credentials are not valid.", true);
  }
}

/** Authenticates the calling client (`ip`: the requester's); throws `invalid_client` (401) on any mismatch. */
export async function authenticateClient(deps: Deps, request: Request, form: Record<string, string>, ip: string): Promise<OAuthClient> {
  const basic = parseBasic(request.headers.get("authorization"));
  if (basic && form.client_secret !== undefined) throw invalidRequest("Use one client authentication method, not two.");
  if (basic && form.client_id !== undefined && form.client_id !== basic.id) {
    throw invalidRequest("client_id differs from the Basic credentials.");
  }
  const clientId = basic?.id ?? form.client_id;
  if (!clientId) throw refuse("Client authentication is required: send client_id.", false);
  const client = await findClient(deps, clientId, { status: 401, ip, basic: Boolean(basic) });
  const method = client.tokenEndpointAuthMethod;
  const presented = basic ? basic.secret : form.client_secret;
  if (method === "none") {
    if (presented !== undefined) throw refuse("This client is public (token_endpoint_auth_method none): send no secret.", Boolean(basic));
    return client;
  }
  if (method === "client_secret_basic" && !basic) throw refuse("This client must authenticate with HTTP Basic (client_secret_basic).", true);
  if (method === "client_secret_post" && basic) throw refuse("This client must send client_secret in the body (client_secret_post).", true);
  if (!presented || !client.secretHash || !safeEqual(sha256(presented), client.secretHash)) {
    throw refuse("The client secret is wrong.", Boolean(basic));
  }
  return client;
}
