/**
 * `application_type` (OpenID Connect Registration 1.0 §2; MCP 2026-07-28 "Client Registration", SEP-837),
 * pure policy shared by dynamic registration and Client ID Metadata Documents.
 *
 * - `web`: a browser-based app served from a remote host. Its redirect URIs must be https on a real host —
 *   no loopback host and no private-use scheme (OIDC Registration §2: web clients "MUST NOT use localhost";
 *   a code delivered to the user's own machine is not a web app's to receive).
 * - `native`: a desktop, mobile or CLI app, or a web app served on localhost (MCP 2026-07-28 "Application
 *   Type and Redirect URI Constraints"). Loopback http (RFC 8252 §7.3) and private-use schemes (RFC 8252
 *   §7.1) are its redirects; https is accepted too, as claimed https redirects are a native pattern (RFC 8252
 *   §7.2) and the MCP SDK declares `native` for any set that contains one loopback URI next to https ones.
 *
 * Omitted, OIDC would default to `web`; Portico does not enforce that default: clients from before SEP-837
 * (mcp-remote, SDK 1.x, Claude's CIMD document) send none and register loopback redirects, and must keep
 * working. The constraint applies only to a declared type, which is stored as declared (or null).
 */
import { z } from "zod";
import { isLoopbackHost } from "./redirect-uri";

export const APPLICATION_TYPES = ["web", "native"] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/** The metadata field; anything other than the two OIDC values is refused (not silently ignored). */
export const ApplicationTypeSchema = z.enum(APPLICATION_TYPES, { error: 'must be "web" or "native"' }).optional();

/**
 * Why `uri` cannot be a redirect of a client of this type, or null. Only called for URIs that already pass
 * `redirectUriProblem` (https, loopback http, or a reverse-domain private-use scheme).
 */
export function applicationTypeProblem(type: ApplicationType | undefined, uri: string): string | null {
  if (type !== "web") return null;
  const url = new URL(uri);
  if (url.protocol !== "https:") {
    return `${uri.slice(0, 200)} is a native app's redirect (loopback or private-use scheme); a "web" application must use https on its own host — register with application_type "native"`;
  }
  if (isLoopbackHost(url.hostname)) {
    return `${uri.slice(0, 200)} is on a loopback host; a "web" application must not redirect to localhost — register with application_type "native"`;
  }
  return null;
}

/** The first redirect URI that does not fit the declared type, as words, or null. */
export function redirectUrisProblem(type: ApplicationType | undefined, uris: readonly string[]): string | null {
  for (const uri of uris) {
    const problem = applicationTypeProblem(type, uri);
    if (problem) return problem;
  }
  return null;
}
