/**
 * The OAuth 2.1 authorization server as one Elysia plugin: discovery documents, registration, the
 * authorize/consent page, token, revocation and JWKS. Each endpoint lives in its own file; this one only
 * routes. JSON endpoints read their bodies themselves (`parse: "none"`) so every malformed request gets an
 * RFC error code, and answer CORS preflights for browser-based clients.
 */
import { auditPublicKeys } from "../audit/signing";
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import type { Channel } from "../db/schema";
import { clientIp } from "../http/client-ip";
import { handleAuthorize } from "./authorize";
import { handleConsent } from "./consent";
import { NotFoundError } from "../errors";
import { pageErrors } from "../http/errors";
import { oauthErrors, preflight, json } from "./http";
import { resourceMetadataResponse, serverMetadataResponse } from "./metadata";
import { handleRegister } from "./register";
import { handleRevoke } from "./revoke";
import { scheduleOAuthHousekeeping } from "./maintenance";
import { handleToken } from "./token";

const PRM = "/.well-known/oauth-protected-resource";
const ASM = "/.well-known/oauth-authorization-server";
type Server = Parameters<typeof clientIp>[1];
const OAUTH_JSON_PATHS = ["/oauth/register", "/oauth/token", "/oauth/revoke"];
const notHere = () => {
  throw new NotFoundError("There is no page at this address.");
};

/** Builds the OAuth plugin; creates the first signing key if the database has none and schedules housekeeping. */
export async function oauthPlugin(deps: Deps) {
  const state = deps.oauth;
  await state.keys.jwks();
  scheduleOAuthHousekeeping(deps);
  const prm = (channel: Channel) => async ({ params, request }: { params: { org: string; project: string }; request: Request }) =>
    (await resourceMetadataResponse(deps, params.org, params.project, channel, request));
  const asm = (channel: Channel) => async ({ params, request }: { params: { org: string; project: string }; request: Request }) =>
    (await serverMetadataResponse(deps, request, { org: params.org, project: params.project, channel }));
  const ip = (request: Request, server: Server) => clientIp(request, server, deps.config.trustedProxy);
  // Two formats, each owned by its group's local onError (docs/architecture.md, "Error model"): the JSON
  // endpoints answer RFC 6749 §5.2 JSON with CORS; the documents and the authorize pages answer as pages.
  return new Elysia({ name: "oauth" })
    .use(oauthJsonEndpoints(deps))
    // After the JSON endpoints: a local hook covers only the routes registered after it.
    .onError(pageErrors(deps.log))
    .get(`${PRM}/:org/:project`, prm("production"))
    .get(`${PRM}/:org/:project/draft`, prm("draft"))
    // Clients that treat the MCP URL as the issuer (pre-RFC 9728 MCP revisions) probe path-suffixed forms.
    .get(ASM, async () => (await serverMetadataResponse(deps)))
    .get(`${ASM}/:org/:project`, asm("production"))
    .get(`${ASM}/:org/:project/draft`, asm("draft"))
    .get("/oauth/jwks", async () => json(await state.keys.jwks(), 200, { "cache-control": "public, max-age=300" }))
    // Audit head statements' keys (src/audit/signing.ts): every one ever made, never retired.
    .get("/.well-known/portico-audit-keys", async () => json({ keys: await auditPublicKeys(deps.db) }, 200, { "cache-control": "public, max-age=300" }))
    .get("/oauth/authorize", async ({ request, server }) => (await handleAuthorize(deps, request, ip(request, server))))
    .post("/oauth/authorize", async ({ request, server }) => (await handleConsent(deps, request, { ip: ip(request, server), userAgent: request.headers.get("user-agent") })), {
      parse: "none",
    })
    // CORS preflights for browser-based clients (MCP 2025-11-25 §Authorization): every well-known document and OAuth endpoint.
    .options("/.well-known/*", preflight)
    .options("/oauth/*", preflight);
}

/** register, token and revoke: OAuth JSON errors with CORS from their own onError. */
export function oauthJsonEndpoints(deps: Deps) {
  const ip = (request: Request, server: Server) => clientIp(request, server, deps.config.trustedProxy);
  const endpoints = new Elysia({ name: "oauth-json" })
    .onError(oauthErrors(deps.log))
    .post("/oauth/register", async ({ request, server }) => (await handleRegister(deps, request, ip(request, server))), { parse: "none" })
    .post("/oauth/token", async ({ request, server }) => (await handleToken(deps, request, ip(request, server))), { parse: "none" })
    .post("/oauth/revoke", async ({ request, server }) => (await handleRevoke(deps, request, ip(request, server))), { parse: "none" });
  for (const path of OAUTH_JSON_PATHS) {
    // Another method on a JSON endpoint is a 404 its client can read as OAuth JSON; preflights stay preflights.
    endpoints.options(path, preflight).all(path, notHere);
  }
  return endpoints;
}
