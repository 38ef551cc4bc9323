/**
 * Whether an authorization error may be sent back to the client's redirect URI without the user doing
 * anything (issue 11 #7). RFC 9700 §4.11.1: "the authorization server MUST only automatically redirect the
 * user agent if it trusts the redirect URI"; otherwise it may inform the user and let them decide. A
 * registered redirect URI alone is no trust: anyone can register a client (DCR) or publish a metadata
 * document on their own domain (CIMD) naming any URI, and a Portico link that bounces straight there is an
 * open redirector for phishing. Trusted are only the well-known hosts whose documents Portico ships
 * (pinned-clients.ts), at a redirect URI they list exactly (no loopback port variance). Everyone else gets
 * an error page with a link back that the user may follow.
 */
import type { OAuthClient } from "../db/schema";
import { PINNED_CLIENT_DOCUMENTS } from "./pinned-clients";

/** True when errors of an authorization request for `client` at `redirectUri` may redirect automatically. */
export function redirectsErrorsAutomatically(client: Pick<OAuthClient, "id" | "registration" | "redirectUris">, redirectUri: string): boolean {
  return client.registration === "cimd" && Object.hasOwn(PINNED_CLIENT_DOCUMENTS, client.id) && client.redirectUris.includes(redirectUri);
}
