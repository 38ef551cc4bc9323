/**
 * Who may use an MCP endpoint, checked on every request (DESIGN: Grant, API key, Public project):
 * `Authorization: Bearer` with an API key or an OAuth access token; no credential on a public project's
 * production channel → anonymous; anything else → 401 with the RFC 9728 challenge. Cookies are never
 * read here. Rate limits apply per IP (anonymous) or per credential, scoped to the project.
 */
import type { Principal } from "../auth/principal";
import { credentialId } from "../auth/principal";
import type { Config } from "../config";
import type { Deps } from "../deps";
import type { Channel } from "../db/schema";
import { OAuthError } from "../errors";
import { RateLimiter } from "../lib/rate-limit";
import { authenticateApiKey, looksLikeApiKey } from "../apikeys/keys";
import { channelUrl } from "../projects/projects";
import type { ProjectRef } from "./project-ref";

export interface McpTarget {
  orgId: string;
  projectId: string;
  orgSlug: string;
  projectSlug: string;
  channel: Channel;
}

/** Scopes a host should ask for on a channel (the challenge's `scope`). */
function challengeScope(channel: Channel): string {
  return channel === "draft" ? "project:read tools:call draft" : "project:read tools:call";
}

/** RFC 6750 §3 / RFC 9728 §5.1 challenge naming the channel's protected-resource metadata. */
export function bearerChallenge(config: Pick<Config, "publicUrl">, target: McpTarget, error?: { code: string; description: string }): string {
  const resource = channelUrl(config.publicUrl, target.orgSlug, target.projectSlug, target.channel);
  const metadata = resource.replace(config.publicUrl, `${config.publicUrl}/.well-known/oauth-protected-resource`);
  const parts = [`resource_metadata="${metadata}"`, `scope="${challengeScope(target.channel)}"`];
  if (error) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/["\\]/g, "")}"`);
  return `Bearer ${parts.join(", ")}`;
}

function unauthorized(config: Pick<Config, "publicUrl">, target: McpTarget, description: string, code?: string): OAuthError {
  const challenge = bearerChallenge(config, target, code ? { code, description } : undefined);
  return new OAuthError(code ?? "invalid_request", description, 401, { "www-authenticate": challenge });
}

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : "";
}

/** Resolves the request's principal or throws an OAuthError (401 with challenge, or 403). */
export async function authenticate(deps: Pick<Deps, "db" | "config">, request: Request, project: ProjectRef, target: McpTarget, ip: string): Promise<Principal> {
  const token = bearerToken(request);
  if (token === null) {
    if (target.channel === "production" && project.visibility === "public") return { kind: "anonymous", ip, scopes: ["project:read", "tools:call"] };
    throw unauthorized(deps.config, target, "Sign in to use this MCP server: it needs an OAuth access token or an API key.");
  }
  if (token === "") throw unauthorized(deps.config, target, "The Authorization header must be \"Bearer <token>\".", "invalid_request");
  try {
    if (looksLikeApiKey(token)) return authenticateApiKey(deps, token, { projectId: project.id, channel: target.channel });
    throw new OAuthError("invalid_token", "The access token is not valid for this server.", 401);
  } catch (err) {
    if (err instanceof OAuthError && err.status === 401 && !err.headers["www-authenticate"]) {
      throw unauthorized(deps.config, target, err.message, err.code);
    }
    throw err;
  }
}

/** Per-project rate limits: by IP for anonymous callers, by credential otherwise (config limits per minute). */
export class McpRateLimits {
  private readonly publicPerIp: RateLimiter;
  private readonly perPrincipal: RateLimiter;

  constructor(config: Pick<Config, "publicRateLimit" | "principalRateLimit">) {
    this.publicPerIp = new RateLimiter(config.publicRateLimit, 60_000, "requests from this address");
    this.perPrincipal = new RateLimiter(config.principalRateLimit, 60_000, "requests with this credential");
  }

  /** Counts one request; throws RateLimitError (429) when over. */
  hit(projectId: string, principal: Principal): void {
    if (principal.kind === "anonymous") this.publicPerIp.hit(`${projectId}|${principal.ip}`);
    else this.perPrincipal.hit(`${projectId}|${credentialId(principal)}`);
  }
}
