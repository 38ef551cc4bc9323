/**
 * The checks every MCP request passes before any JSON-RPC is read, in this order (DESIGN: MCP transport
 * rules): Origin (403), MCP-Protocol-Version (400), project (404), credential (401/403), rate limit (429),
 * session (404 when unknown, ended, or created by another credential).
 */
import type { Principal } from "../auth/principal";
import type { Channel } from "../db/schema";
import { AppError, JsonRpcError, OAuthError, RPC, RateLimitError } from "../errors";
import { clientIp } from "../http/client-ip";
import { corsHeaders, isAllowedOrigin } from "../http/cors";
import { rateLimitHeaders } from "../http/errors";
import { authenticate, type McpTarget } from "./access";
import type { McpDeps } from "./context";
import { isSupportedVersion } from "./methods/lifecycle";
import { findProjectRef, type ProjectRef } from "./project-ref";
import { errorMessage } from "./rpc";
import type { McpService } from "./service";
import type { McpSession } from "./sessions";
import type { TimeoutControl } from "./sse";

export interface RouteInput {
  request: Request;
  params: { org: string; project: string };
  channel: Channel;
  server: (TimeoutControl & { requestIP(r: Request): { address: string } | null }) | null;
}

export interface Guarded {
  project: ProjectRef;
  target: McpTarget;
  principal: Principal;
  /** The session named by Mcp-Session-Id, or null when the request carries none. */
  session: McpSession | null;
  /** MCP-Protocol-Version header, when sent. */
  versionHeader: string | null;
  ip: string;
  headers: Record<string, string>;
}

/** JSON-RPC server error code of a rate-limit refusal (HTTP 429 for a whole request, per element in a batch). */
export const RATE_LIMITED = -32000;

/** A transport-level refusal: JSON-RPC error body (id null) with an HTTP status. */
export function httpRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json(errorMessage(null, { code, message }), { status, headers });
}

/** Turns an error thrown by the checks into its HTTP response. */
export function guardFailure(error: unknown, headers: Record<string, string>): Response {
  if (error instanceof OAuthError) {
    return Response.json({ error: error.code, error_description: error.message }, { status: error.status, headers: { ...headers, ...error.headers, "cache-control": "no-store" } });
  }
  if (error instanceof RateLimitError) return httpRpcError(429, RATE_LIMITED, error.message, { ...headers, ...rateLimitHeaders(error) });
  if (error instanceof JsonRpcError) return httpRpcError(error.status, error.rpcCode, error.message, headers);
  if (error instanceof AppError) return httpRpcError(error.status, RPC.INVALID_REQUEST, error.message, headers);
  throw error;
}

/** Runs the checks; returns the request's identity or the refusal to send. */
export async function guard(deps: McpDeps, service: McpService, input: RouteInput): Promise<Guarded | Response> {
  const { request, channel } = input;
  const headers = corsHeaders(request, deps.config);
  if (!isAllowedOrigin(request.headers.get("origin"), deps.config)) {
    return httpRpcError(403, RPC.INVALID_REQUEST, "Forbidden: this Origin may not call the MCP endpoint.");
  }
  const versionHeader = request.headers.get("mcp-protocol-version");
  if (versionHeader !== null && !isSupportedVersion(versionHeader)) {
    return httpRpcError(400, RPC.INVALID_REQUEST, `Bad Request: unsupported MCP-Protocol-Version "${versionHeader.slice(0, 40)}".`, headers);
  }
  service.reads.revalidate();
  const { org, project: slug } = input.params;
  const project = service.reads.get(`project:${org}/${slug}`, () => findProjectRef(deps.db, org, slug));
  if (!project) return httpRpcError(404, RPC.INVALID_REQUEST, "There is no MCP server at this address.", headers);
  const target: McpTarget = { orgId: project.orgId, projectId: project.id, orgSlug: project.orgSlug, projectSlug: project.slug, channel };
  const ip = clientIp(request, input.server, deps.config.trustedProxy);
  try {
    const principal = await authenticate(deps, request, project, target, ip, service.reads);
    service.limits.hit(project.id, principal);
    const sessionId = request.headers.get("mcp-session-id");
    let session: McpSession | null = null;
    if (sessionId !== null) {
      session = service.sessions.find(sessionId, principal, target);
      if (!session) return httpRpcError(404, -32001, "Session not found: it ended or expired. Initialize a new session.", headers);
    }
    return { project, target, principal, session, versionHeader, ip, headers };
  } catch (err) {
    return guardFailure(err, headers);
  }
}
