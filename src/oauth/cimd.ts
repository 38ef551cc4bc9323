/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP Authorization 2025-11-25
 * "Client ID Metadata Documents"): the client_id is an https URL whose document describes the client.
 * Fetched with the SSRF-safe fetch (https only, private addresses refused, IP pinned, no redirects),
 * ≤ 5 KB, ≤ 5 s, cached per HTTP caching headers; a stale copy is used when a refetch fails, and pinned
 * copies of well-known hosts' documents when nothing else is available. Any anonymous request can name a
 * client_id URL, so fetches that go to the network are rate-limited per client IP (like registration):
 * Portico must not become a fetch relay (draft-ietf-oauth-client-id-metadata-document §6, SSRF).
 */
import { eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { outboundProxy } from "../config";
import { type OAuthClient } from "../db/schema";
import { safeFetch, SafeFetchError } from "../lib/safe-fetch";
import { addressOf, detailOf, recordHandshake, withDetail } from "../doctor/handshake";
import { redirectUrisProblem } from "./application-type";
import { ClientMetadataSchema, servedGrantTypes, unsupportedMetadata } from "./client-metadata";
import { PINNED_CLIENT_DOCUMENTS } from "./pinned-clients";
import { invalidClient } from "./errors";
import { first } from "../db/query";

export const CIMD_MAX_BYTES = 5 * 1024;
export const CIMD_TIMEOUT_MS = 5_000;
const DEFAULT_TTL_S = 3600;
const MIN_TTL_S = 60;
const MAX_TTL_S = 24 * 3600;

/** CIMD §3: an https URL with a path, no fragment, no credentials, no dot segments. */
export function isCimdClientId(clientId: string): boolean {
  if (!clientId.startsWith("https://") || clientId.length > 2000 || clientId.includes("#")) return false;
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname === "/" || url.pathname === "") return false;
  return !/(^|\/)\.\.?(\/|$)/.test(clientId.slice(url.origin.length));
}

function freshnessSeconds(headers: Headers): number {
  const cc = headers.get("cache-control") ?? "";
  if (/no-store|no-cache/i.test(cc)) return MIN_TTL_S;
  const maxAge = /max-age=(\d+)/i.exec(cc);
  const seconds = maxAge ? Number(maxAge[1]) : DEFAULT_TTL_S;
  return Math.min(MAX_TTL_S, Math.max(MIN_TTL_S, seconds));
}

/** Validates a document for `clientId`; throws with the reason in words. */
function parseDocument(clientId: string, doc: unknown): Omit<OAuthClient, "fetchedAt" | "freshUntil" | "etag" | "createdAt" | "lastUsedAt"> {
  const parsed = ClientMetadataSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] === undefined ? "" : `${String(issue.path[0])}: `;
    throw new Error(`the client metadata document is invalid: ${field}${issue?.message}`);
  }
  const meta = parsed.data;
  if (meta.client_id !== clientId) throw new Error("the document's client_id does not equal its URL");
  const method = meta.token_endpoint_auth_method ?? "none";
  // A CIMD client cannot hold a shared secret (the document is public); private_key_jwt is not supported.
  if (method !== "none") throw new Error(`token_endpoint_auth_method ${String(method)} is not supported; use none`);
  const unsupported = unsupportedMetadata(meta);
  if (unsupported) throw new Error(unsupported);
  // OIDC Registration §2 / SEP-837: a declared application_type must fit the document's redirect URIs.
  const mismatch = redirectUrisProblem(meta.application_type, meta.redirect_uris);
  if (mismatch) throw new Error(mismatch);
  return {
    id: clientId,
    registration: "cimd",
    name: meta.client_name ?? new URL(clientId).host,
    redirectUris: meta.redirect_uris,
    tokenEndpointAuthMethod: "none",
    secretHash: null,
    grantTypes: servedGrantTypes(meta),
    clientUri: meta.client_uri ?? null,
    logoUri: meta.logo_uri ?? null,
    applicationType: meta.application_type ?? null,
    metadata: meta,
  };
}

async function fetchDocument(deps: Deps, clientId: string, cached: OAuthClient | undefined): Promise<OAuthClient> {
  const { oauthClients } = deps.db.t;
  const now = deps.clock.now();
  const res = await safeFetch(clientId, {
    allowLoopback: deps.config.allowLoopbackFetch,
    timeoutMs: CIMD_TIMEOUT_MS,
    maxBytes: CIMD_MAX_BYTES,
    maxRedirects: 0,
    blockedOrigins: [deps.config.publicUrl],
    proxy: outboundProxy(deps.config),
    headers: { accept: "application/json", ...(cached?.etag ? { "if-none-match": cached.etag } : {}) },
  });
  const freshUntil = now + freshnessSeconds(res.headers) * 1000;
  if (res.status === 304 && cached) {
    await deps.db.update(oauthClients).set({ fetchedAt: now, freshUntil }).where(eq(oauthClients.id, clientId));
    return { ...cached, fetchedAt: now, freshUntil };
  }
  if (res.status !== 200) throw withDetail(new Error(`the client metadata document answered HTTP ${res.status}`), { status: res.status });
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(res.body));
  } catch {
    throw withDetail(new Error("the client metadata document is not JSON"), { status: res.status });
  }
  const row: OAuthClient = {
    ...parseDocument(clientId, doc),
    fetchedAt: now,
    freshUntil,
    etag: res.headers.get("etag"),
    createdAt: cached?.createdAt ?? now,
    lastUsedAt: cached?.lastUsedAt ?? null,
  };
  const { id: _id, createdAt: _c, ...update } = row;
  await deps.db.insert(oauthClients).values(row).onConflictDoUpdate({ target: oauthClients.id, set: update });
  return row;
}

/** Stores the pinned copy as if fetched (briefly fresh), so the token endpoint does not refetch at once. */
async function pinned(deps: Deps, clientId: string): Promise<OAuthClient | null> {
  const { oauthClients } = deps.db.t;
  const doc = PINNED_CLIENT_DOCUMENTS[clientId];
  if (!doc) return null;
  const now = deps.clock.now();
  const row: OAuthClient = { ...parseDocument(clientId, doc), fetchedAt: now, freshUntil: now + MIN_TTL_S * 1000, etag: null, createdAt: now, lastUsedAt: null };
  await deps.db.insert(oauthClients).values(row).onConflictDoNothing();
  return row;
}

async function refresh(deps: Deps, clientId: string, cached: OAuthClient | undefined): Promise<OAuthClient> {
  const { oauthClients } = deps.db.t;
  // The doctor's detail: the document's address (no query) and how the fetch went, never its content.
  const metadataUrl = addressOf(clientId);
  const started = performance.now();
  try {
    const client = await fetchDocument(deps, clientId, cached);
    const detail = { registration: "cimd", metadataUrl, fetch: "ok", ms: Math.round(performance.now() - started) };
    await recordHandshake(deps.db, { clientId, step: "client_metadata", outcome: "ok", detail }, deps.clock.now());
    return client;
  } catch (err) {
    // The reason is shown on the page and in the doctor; addresses stay in the log (issue 11 #9).
    const reason = err instanceof Error ? err.message : "fetch failed";
    const detail = err instanceof SafeFetchError ? err.detail : undefined;
    const fetch = cached ? "failed, stale copy used" : PINNED_CLIENT_DOCUMENTS[clientId] ? "failed, pinned copy used" : "failed";
    const doctor = { registration: "cimd", metadataUrl, fetch, ms: Math.round(performance.now() - started), ...detailOf(err) };
    await recordHandshake(deps.db, { clientId, step: "client_metadata", outcome: "fail", reason, detail: doctor }, deps.clock.now());
    deps.log.warn({ clientId, reason, ...(detail ? { detail } : {}) }, "client metadata document fetch failed");
    if (cached) {
      // Serve the stale copy and back off: the next attempt waits a minute instead of every request retrying.
      const freshUntil = deps.clock.now() + MIN_TTL_S * 1000;
      await deps.db.update(oauthClients).set({ freshUntil }).where(eq(oauthClients.id, clientId));
      return { ...cached, freshUntil };
    }
    const fallback = await pinned(deps, clientId);
    if (fallback) return fallback;
    throw invalidClient(`The client's metadata document could not be used: ${reason}.`);
  }
}

/**
 * The client described by the CIMD at `clientId`, from cache while fresh. Throws `invalid_client`, or
 * RateLimitError when `ip` asked for too many fetches (a fetch already in flight is shared, not counted).
 */
export async function resolveCimdClient(deps: Deps, clientId: string, ip?: string): Promise<OAuthClient> {
  const { oauthClients } = deps.db.t;
  const cached = await first(deps.db.select().from(oauthClients).where(eq(oauthClients.id, clientId)));
  if (cached && cached.registration === "cimd" && (cached.freshUntil ?? 0) > deps.clock.now()) return cached;
  const state = deps.oauth;
  let inflight = state.cimdInflight.get(clientId);
  if (!inflight && ip !== undefined) {
    await state.cimdFetches.hit(ip, deps.clock.now());
    // Another request may have started the fetch while the count was written: share it.
    inflight = state.cimdInflight.get(clientId);
  }
  if (!inflight) {
    inflight = refresh(deps, clientId, cached?.registration === "cimd" ? cached : undefined).finally(() =>
      state.cimdInflight.delete(clientId),
    );
    state.cimdInflight.set(clientId, inflight);
  }
  return inflight;
}
