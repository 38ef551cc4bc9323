/**
 * The OAuth 2.1 authorization server as one Elysia plugin: discovery documents, registration, the
 * authorize/consent page, token, revocation and JWKS. Each endpoint lives in its own file; this one only
 * routes. JSON endpoints read their bodies themselves (`parse: "none"`) so every malformed request gets an
 * RFC error code, and answer CORS preflights for browser-based clients.
 */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import type { Channel } from "../db/schema";
import { clientIp } from "../http/client-ip";
import { handleAuthorize } from "./authorize";
import { handleConsent } from "./consent";
import { oauthEndpoint, preflight, json } from "./http";
import { resourceMetadataResponse, serverMetadataResponse } from "./metadata";
import { handleRegister } from "./register";
import { handleRevoke } from "./revoke";
import { scheduleOAuthHousekeeping } from "./maintenance";
import { handleToken } from "./token";

const PRM = "/.well-known/oauth-protected-resource";
const ASM = "/.well-known/oauth-authorization-server";
type Server = Parameters<typeof clientIp>[1];

/** Builds the OAuth plugin; creates the first signing key if the database has none and schedules housekeeping. */
export function oauthPlugin(deps: Deps) {
  const state = deps.oauth;
  state.keys.jwks();
  scheduleOAuthHousekeeping(deps);
  const prm = (channel: Channel) => ({ params }: { params: { org: string; project: string } }) =>
    resourceMetadataResponse(deps, params.org, params.project, channel);
  const ip = (request: Request, server: Server) => clientIp(request, server, deps.config.trustedProxy);
  return new Elysia({ name: "oauth" })
    .get(`${PRM}/:org/:project`, prm("production"))
    .get(`${PRM}/:org/:project/draft`, prm("draft"))
    // Clients that treat the MCP URL as the issuer (pre-RFC 9728 MCP revisions) probe path-suffixed forms.
    .get(ASM, () => serverMetadataResponse(deps))
    .get(`${ASM}/:org/:project`, () => serverMetadataResponse(deps))
    .get(`${ASM}/:org/:project/draft`, () => serverMetadataResponse(deps))
    .get("/oauth/jwks", () => json(state.keys.jwks(), 200, { "cache-control": "public, max-age=300" }))
    .get("/oauth/authorize", ({ request, server }) => handleAuthorize(deps, request, ip(request, server)))
    .post("/oauth/authorize", ({ request, server }) => handleConsent(deps, request, { ip: ip(request, server), userAgent: request.headers.get("user-agent") }), {
      parse: "none",
    })
    .post("/oauth/register", ({ request, server }) => oauthEndpoint(deps, "/oauth/register", () => handleRegister(deps, request, ip(request, server))), {
      parse: "none",
    })
    .post("/oauth/token", ({ request, server }) => oauthEndpoint(deps, "/oauth/token", () => handleToken(deps, request, ip(request, server))), {
      parse: "none",
    })
    .post("/oauth/revoke", ({ request, server }) => oauthEndpoint(deps, "/oauth/revoke", () => handleRevoke(deps, request, ip(request, server))), {
      parse: "none",
    })
    // CORS preflights (DESIGN: MCP transport rules): every well-known document and OAuth endpoint.
    .options("/.well-known/*", preflight)
    .options("/oauth/*", preflight);
}
