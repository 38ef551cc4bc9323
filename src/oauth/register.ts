/**
 * Dynamic Client Registration (RFC 7591). Public clients register with `none`; confidential ones with
 * `client_secret_post` or `client_secret_basic` get a secret shown once and stored as a SHA-256 hash.
 * Registrations are rate-limited per IP and small (issue 11 #10: body ≤ 16 KB, each value ≤ 2 KB, lists
 * ≤ 10 entries; a 60 KB junk field used to be kept); only the RFC 7591 §2 fields Portico reads are stored,
 * the rest is ignored as RFC 7591 §2 requires. Clients that never complete an authorization are pruned
 * after 24 h (clients.ts, maintenance.ts).
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { type OAuthClient } from "../db/schema";
import { OAuthError } from "../errors";
import { sha256 } from "../lib/crypto";
import { newId, newToken } from "../lib/ids";
import { recordHandshake, requestDetail } from "../doctor/handshake";
import { redirectUrisProblem } from "./application-type";
import { AUTH_METHODS, ClientMetadataSchema, servedGrantTypes, unsupportedMetadata } from "./client-metadata";
import { json, readJsonObject } from "./http";
import { invalidClientMetadata, invalidRedirectUri } from "./errors";

/** Largest registration request body. */
export const REGISTRATION_MAX_BYTES = 16 * 1024;
/** Largest string value, and most entries of a list, in a registration request. */
export const REGISTRATION_MAX_STRING = 2048;
export const REGISTRATION_MAX_LIST = 10;

/** An RFC 7591 registration request as Portico accepts it. */
export const RegistrationRequestSchema = ClientMetadataSchema.extend({
  // RFC 7591 §2: the default is client_secret_basic.
  token_endpoint_auth_method: z.enum(AUTH_METHODS, { error: "must be none, client_secret_post or client_secret_basic" }).default("client_secret_basic"),
  // Kept so an admin can tell which host software registered (RFC 7591 §2).
  software_id: z.string().max(200).optional().catch(undefined),
  software_version: z.string().max(200).optional().catch(undefined),
});

/** The RFC 7591 §2 fields stored in `oauth_clients.metadata`; everything else is ignored and not kept. */
const STORED_FIELDS = [
  "client_name",
  "redirect_uris",
  "grant_types",
  "response_types",
  "token_endpoint_auth_method",
  "client_uri",
  "logo_uri",
  "scope",
  "software_id",
  "software_version",
  "application_type",
] as const;

/** The first stored field whose value is too big (a long string, a long list), in words; or null. */
function oversizedField(raw: Record<string, unknown>): string | null {
  const tooLong = (v: unknown) => typeof v === "string" && v.length > REGISTRATION_MAX_STRING;
  for (const field of STORED_FIELDS) {
    const value = raw[field];
    if (tooLong(value)) return `${field}: longer than ${REGISTRATION_MAX_STRING} characters`;
    if (Array.isArray(value)) {
      if (value.length > REGISTRATION_MAX_LIST) return `${field}: more than ${REGISTRATION_MAX_LIST} entries`;
      if (value.some(tooLong)) return `${field}: an entry is longer than ${REGISTRATION_MAX_STRING} characters`;
    }
  }
  return null;
}

function storedMetadata(meta: z.output<typeof RegistrationRequestSchema>): Record<string, unknown> {
  return Object.fromEntries(STORED_FIELDS.filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]]));
}

/** Registers a client from an RFC 7591 request; returns the 201 response body (with the secret, once). */
export async function registerClient(deps: Deps, raw: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { oauthClients } = deps.db.t;
  const oversized = oversizedField(raw);
  if (oversized) throw invalidClientMetadata(oversized);
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
  // OIDC Registration §2: every redirect URI must suit the declared application_type (RFC 7591 §3.2.2 code).
  const mismatch = redirectUrisProblem(meta.application_type, meta.redirect_uris);
  if (mismatch) throw invalidRedirectUri(`redirect_uris: ${mismatch}`);
  const secret = meta.token_endpoint_auth_method === "none" ? null : newToken("pcs_");
  const now = deps.clock.now();
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
    applicationType: meta.application_type ?? null,
    metadata: storedMetadata(meta),
    fetchedAt: null,
    freshUntil: null,
    etag: null,
    createdAt: now,
    lastUsedAt: null,
  };
  await deps.db.insert(oauthClients).values(client);
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
    // RFC 7591 §3.2.1: the response echoes the registered metadata; absent stays absent (not defaulted).
    ...(client.applicationType ? { application_type: client.applicationType } : {}),
  };
}

/** POST /oauth/register. */
export async function handleRegister(deps: Deps, request: Request, ip: string): Promise<Response> {
  await deps.oauth.registrations.hit(ip, deps.clock.now());
  try {
    const body = await registerClient(deps, await readJsonObject(request, REGISTRATION_MAX_BYTES));
    const detail = { ...requestDetail(request), registration: "dcr", authMethod: String(body.token_endpoint_auth_method), status: 201 };
    await recordHandshake(deps.db, { clientId: String(body.client_id), step: "registration", outcome: "ok", detail }, deps.clock.now());
    deps.log.info({ clientId: body.client_id, authMethod: body.token_endpoint_auth_method }, "oauth client registered");
    return json(body, 201);
  } catch (err) {
    if (err instanceof OAuthError) {
      const detail = { ...requestDetail(request), registration: "dcr", error: err.code, status: err.status };
      await recordHandshake(deps.db, { step: "registration", outcome: "fail", reason: err.message, detail }, deps.clock.now());
    }
    throw err;
  }
}
