/**
 * Who may use an MCP endpoint, checked on every request (docs/architecture.md: Grant, API key, Public project):
 * `Authorization: Bearer` with an API key or an OAuth access token; no credential on a public project's
 * production channel → anonymous; anything else → 401 with the RFC 9728 challenge. Cookies are never
 * read here. Rate limits apply per IP (anonymous) or per credential, scoped to the project.
 */
import type { Principal } from "../auth/principal";
import { credentialId } from "../auth/principal";
import type { Config } from "../config";
import type { Deps } from "../deps";
import { OAuthError } from "../errors";
import type { Clock } from "../lib/clock";
import type { RateLimits } from "../lib/rate-limits";
import type { SyncedRateLimiter } from "../lib/synced-rate-limit";
import { authenticateApiKey, looksLikeApiKey } from "../apikeys/keys";
import { authenticateBearer, bearerChallenge, type BearerTarget } from "../oauth/bearer";
import type { ProjectRef } from "../projects/project-ref";
import type { Reads } from "./read-cache";

export type McpTarget = BearerTarget;

async function apiKeyPrincipal(deps: Deps, token: string, target: McpTarget, cache: Reads): Promise<Principal> {
  try {
    return await authenticateApiKey(deps, token, { projectId: target.projectId, channel: target.channel }, deps.clock.now(), (k, load) => cache.get(k, load));
  } catch (err) {
    if (!(err instanceof OAuthError) || (err.status !== 401 && err.code !== "insufficient_scope")) throw err;
    // RFC 6750 §3.1: 403 insufficient_scope names the scope needed (a key without `draft` on the draft channel).
    const scope = err.code === "insufficient_scope" ? ["draft"] : undefined;
    const challenge = bearerChallenge(deps.config.publicUrl, target, { error: err.code, description: err.message, scope });
    throw new OAuthError(err.code, err.message, err.status, { "www-authenticate": challenge });
  }
}

/** Resolves the request's principal or throws an OAuthError (401 with challenge, or 403). */
export async function authenticate(deps: Deps, request: Request, project: ProjectRef, target: McpTarget, ip: string, cache: Reads): Promise<Principal> {
  const header = request.headers.get("authorization");
  if (header === null && target.channel === "production" && project.visibility === "public") {
    return { kind: "anonymous", ip, scopes: ["project:read", "tools:call"] };
  }
  const token = header === null ? null : /^Bearer\s+(prt_\S+)\s*$/i.exec(header)?.[1];
  if (token && looksLikeApiKey(token)) return apiKeyPrincipal(deps, token, target, cache);
  // No header, a malformed one, or a JWT: the OAuth domain answers (401 challenge per RFC 6750 §3).
  return authenticateBearer(deps, request, target, (k, load) => cache.get(k, load));
}

/**
 * Per-project rate limits: by IP for anonymous callers, by credential otherwise (config limits per minute).
 * Counted in memory and synced with the other instances in the background — no write per request
 * (docs/architecture.md: Rate limits, for the bound this gives across instances).
 */
export class McpRateLimits {
  private readonly publicPerIp: SyncedRateLimiter;
  private readonly perPrincipal: SyncedRateLimiter;

  constructor(
    config: Pick<Config, "publicRateLimit" | "principalRateLimit">,
    private readonly clock: Clock,
    limits: RateLimits,
  ) {
    this.publicPerIp = limits.hotPath({ name: "mcp-public-ip", limit: config.publicRateLimit, windowMs: 60_000, what: "requests from this address" });
    this.perPrincipal = limits.hotPath({ name: "mcp-principal", limit: config.principalRateLimit, windowMs: 60_000, what: "requests with this credential" });
  }

  /** Counts one request; throws RateLimitError (429) when over. */
  hit(projectId: string, principal: Principal): void {
    const now = this.clock.now();
    if (principal.kind === "anonymous") this.publicPerIp.hit(`${projectId}|${principal.ip}`, now);
    else this.perPrincipal.hit(`${projectId}|${credentialId(principal)}`, now);
  }
}
