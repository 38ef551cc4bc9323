/**
 * Dynamic Client Registration (RFC 7591). Public clients register with `none`; confidential ones with
 * `client_secret_post` or `client_secret_basic` get a secret shown once and stored as a SHA-256 hash.
 * Registrations are rate-limited per IP, and the ones that never lead to a grant are pruned after 7 days
 * (maintenance.ts).
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { oauthClients, type OAuthClient } from "../db/schema";
import { OAuthError } from "../errors";
import { sha256 } from "../lib/crypto";
import { newId, newToken } from "../lib/ids";
import { recordHandshake } from "../doctor/handshake";
import { AUTH_METHODS, ClientMetadataSchema, servedGrantTypes, unsupportedMetadata } from "./client-metadata";
import { json, readJsonObject } from "./http";
import { oauthState } from "./state";
import { invalidClientMetadata, invalidRedirectUri } from "./errors";

/** An RFC 7591 registration request as Portico accepts it. */
export const RegistrationRequestSchema = ClientMetadataSchema.extend({
  // RFC 7591 §2: the default is client_secret_basic.
  token_endpoint_auth_method: z.enum(AUTH_METHODS, { error: "must be none, client_secret_post or client_secret_basic" }).default("client_secret_basic"),
});

/** Fields never stored in the received metadata copy. */
const DROPPED_FIELDS = ["client_secret", "client_id", "registration_access_token"];

function storedMetadata(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !DROPPED_FIELDS.includes(k)));
}

/** Registers a client from an RFC 7591 request; returns the 201 response body (with the secret, once). */
export function registerClient(deps: Deps, raw: Record<string, unknown>): Record<string, unknown> {
  const parsed = RegistrationRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] === undefined ? "body" : String(issue.path[0]);
    // RFC 7591 §3.2.2: a bad redirect URI has its own error code.
    throw (field === "redirect_uris" ? invalidRedirectUri : invalidClientMetadata)(`${field}: ${issue.message}`);
  }
  const meta = parsed.data;
  const unsupported = unsupportedMetadata(meta);
  if (unsupported) throw invalidClientMetadata(unsupported);
  const secret = meta.token_endpoint_auth_method === "none" ? null : newToken("pcs_");
  const now = Date.now();
  const client: OAuthClient = {
    id: newId("cli"),
    registration: "dcr",
    name: meta.client_name ?? "Unnamed app",
    redirectUris: meta.redirect_uris,
    tokenEndpointAuthMethod: meta.token_endpoint_auth_method,
    secretHash: secret ? sha256(secret) : null,
    grantTypes: servedGrantTypes(meta),
    clientUri: meta.client_uri ?? null,
    logoUri: meta.logo_uri ?? null,
    metadata: storedMetadata(raw),
    fetchedAt: null,
    freshUntil: null,
    etag: null,
    createdAt: now,
    lastUsedAt: null,
  };
  deps.db.insert(oauthClients).values(client).run();
  return {
    client_id: client.id,
    client_id_issued_at: Math.floor(now / 1000),
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    client_name: client.name,
    redirect_uris: client.redirectUris,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    grant_types: client.grantTypes,
    response_types: ["code"],
    ...(client.clientUri ? { client_uri: client.clientUri } : {}),
    ...(client.logoUri ? { logo_uri: client.logoUri } : {}),
    ...(meta.scope ? { scope: meta.scope } : {}),
  };
}

/** POST /oauth/register. */
export async function handleRegister(deps: Deps, request: Request, ip: string): Promise<Response> {
  oauthState(deps).registrations.hit(ip);
  try {
    const body = registerClient(deps, await readJsonObject(request));
    recordHandshake(deps.db, { clientId: String(body.client_id), step: "registration", outcome: "ok" });
    deps.log.info({ clientId: body.client_id, authMethod: body.token_endpoint_auth_method }, "oauth client registered");
    return json(body, 201);
  } catch (err) {
    if (err instanceof OAuthError) recordHandshake(deps.db, { step: "registration", outcome: "fail", reason: err.message });
    throw err;
  }
}
