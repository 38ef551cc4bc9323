/**
 * Discovery documents. RFC 9728 protected resource metadata per project channel (its `resource` is
 * byte-identical to the MCP URL, MCP Authorization 2025-11-25 §"Protected Resource Metadata Discovery")
 * and RFC 8414 authorization server metadata. Every URL is built from `config.publicUrl`, read at request
 * time: the server fills it in after binding port 0.
 */
import type { Deps } from "../deps";
import type { Channel } from "../db/schema";
import { SCOPES, allowedScopes } from "../auth/scopes";
import { findProject, channelUrl } from "../projects/projects";
import { recordHandshake, requestDetail } from "../doctor/handshake";
import { AUTH_METHODS } from "./client-metadata";
import { json } from "./http";

/** The scopes that exist on a channel (what the owner role could hold there). */
export function channelScopes(channel: Channel): string[] {
  return allowedScopes("owner", channel);
}

/** RFC 9728 §3: the metadata URL of a resource inserts the well-known segment before its path. */
export function resourceMetadataUrl(publicUrl: string, orgSlug: string, projectSlug: string, channel: Channel): string {
  return `${publicUrl}/.well-known/oauth-protected-resource/${orgSlug}/${projectSlug}${channel === "draft" ? "/draft" : ""}`;
}

/** RFC 8414 §2 metadata of Portico's one authorization server (the issuer is the public URL). */
export function authorizationServerMetadata(publicUrl: string) {
  return {
    issuer: publicUrl,
    authorization_endpoint: `${publicUrl}/oauth/authorize`,
    token_endpoint: `${publicUrl}/oauth/token`,
    // MCP 2026-07-28 "Client Registration": DCR is deprecated and kept only as the fallback for clients
    // without a Client ID Metadata Document; clients prefer CIMD when `client_id_metadata_document_supported`
    // is true (below). Claude also needs `none` among the auth methods before it tries CIMD.
    registration_endpoint: `${publicUrl}/oauth/register`,
    revocation_endpoint: `${publicUrl}/oauth/revoke`,
    jwks_uri: `${publicUrl}/oauth/jwks`,
    scopes_supported: [...SCOPES],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}

/** The protected resource metadata document for a channel, or null when there is no such private resource. */
export async function protectedResourceMetadata(deps: Deps, orgSlug: string, projectSlug: string, channel: Channel) {
  const found = await findProject(deps.db, orgSlug, projectSlug);
  // A public project's production channel needs no token, so it advertises no authorization (docs/architecture.md: Public project).
  if (!found || (channel === "production" && found.project.visibility === "public")) return null;
  const { publicUrl } = deps.config;
  return {
    project: found.project,
    document: {
      resource: channelUrl(publicUrl, found.org.slug, found.project.slug, channel),
      authorization_servers: [publicUrl],
      scopes_supported: channelScopes(channel),
      bearer_methods_supported: ["header"],
      resource_name: channel === "draft" ? `${found.project.name} (draft)` : found.project.name,
    },
  };
}

/** GET handler for `/.well-known/oauth-protected-resource/{org}/{project}[/draft]`. */
export async function resourceMetadataResponse(deps: Deps, orgSlug: string, projectSlug: string, channel: Channel, request?: Request): Promise<Response> {
  const found = await protectedResourceMetadata(deps, orgSlug, projectSlug, channel);
  if (!found) return json({ error: "not_found", error_description: "No private MCP server at this address." }, 404);
  const detail = { ...(request ? requestDetail(request) : {}), channel, status: 200 };
  await recordHandshake(deps.db, { projectId: found.project.id, step: "resource_metadata", outcome: "ok", detail }, deps.clock.now());
  return json(found.document, 200, { "cache-control": "public, max-age=300" });
}

/**
 * GET handler for `/.well-known/oauth-authorization-server` (and its path-suffixed legacy forms). A
 * path-suffixed fetch names a project, so the connection doctor records it there (the bare form cannot be
 * tied to one).
 */
export async function serverMetadataResponse(deps: Deps, request?: Request, named?: { org: string; project: string; channel: Channel }): Promise<Response> {
  const found = named && request ? await findProject(deps.db, named.org, named.project) : null;
  if (found && request) {
    const detail = { ...requestDetail(request), channel: named!.channel, status: 200 };
    await recordHandshake(deps.db, { projectId: found.project.id, step: "as_metadata", outcome: "ok", detail }, deps.clock.now());
  }
  return json(authorizationServerMetadata(deps.config.publicUrl), 200, { "cache-control": "public, max-age=300" });
}
