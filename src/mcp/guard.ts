/**
 * The checks every MCP request passes before any JSON-RPC is read, in this order (MCP 2025-11-25
 * §Transports "Security Warning" and §Session Management): Origin (403), MCP-Protocol-Version (400),
 * project (404), credential (401/403), rate limit (429), session (404 when unknown, ended, or created by
 * another credential). A failed check throws; the MCP plugin's onError renders it (one way to fail).
 */
import type { Principal } from "../auth/principal";
import type { Channel } from "../db/schema";
import { clientIp } from "../http/client-ip";
import { corsHeaders, isAllowedOrigin } from "../http/cors";
import { authenticate, type McpTarget } from "./access";
import type { McpDeps } from "./context";
import { ALL_VERSIONS, isSupportedVersion } from "./methods/lifecycle";
import { findProjectRef, type ProjectRef } from "../projects/project-ref";
import { JsonRpcError, RPC, type RpcCode } from "./rpc-errors";
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
  /** `performance.now()` at the guard and after the credential check, only when telemetry is on (src/mcp/trace.ts). */
  timing?: { started: number; authenticated: number };
}

/** A transport-level refusal: the whole response is this JSON-RPC error (id null) with an HTTP status. */
export function refusal(status: number, code: RpcCode, message: string, headers: Record<string, string> = {}): JsonRpcError {
  return new JsonRpcError(code, message, undefined, status, headers);
}

/**
 * MCP 2026-07-28 §Versioning: a version Portico does not speak is UnsupportedProtocolVersion (-32022,
 * HTTP 400) listing what it does speak, so a client can pick one (or fall back to initialize).
 */
export function unsupportedVersion(requested: string): JsonRpcError {
  return new JsonRpcError(
    RPC.UNSUPPORTED_PROTOCOL_VERSION,
    `Unsupported protocol version "${requested.slice(0, 40)}" (MCP-Protocol-Version / _meta): this server speaks ${ALL_VERSIONS.join(", ")}.`,
    { supported: [...ALL_VERSIONS], requested: requested.slice(0, 100) },
    400,
  );
}

/**
 * Runs the checks; returns the request's identity or throws the refusal (rendered by `error-response.ts`).
 * A `stateless` (2026-07-28) request has its version checked against its `_meta` by the stateless
 * transport, and never touches a session: an Mcp-Session-Id header it may carry is ignored.
 */
export async function guard(deps: McpDeps, service: McpService, input: RouteInput, stateless = false): Promise<Guarded> {
  const { request, channel } = input;
  const started = deps.telemetry ? performance.now() : 0;
  const headers = corsHeaders(request, deps.config);
  if (!isAllowedOrigin(request.headers.get("origin"), deps.config)) {
    throw refusal(403, RPC.INVALID_REQUEST, "Forbidden: this Origin may not call the MCP endpoint.");
  }
  // Fail closed (docs/architecture.md: "Postgres change feed"): an instance that may be missing other
  // instances' changes cannot trust its caches, so it serves no credential from them.
  if (!deps.changes.healthy()) throw refusal(503, RPC.INTERNAL_ERROR, "Service unavailable: this instance cannot confirm it has every change from the database. Try again shortly.", { "retry-after": "2" });
  // Durable audit (issue 18): while audit rows cannot be written, no request runs — a call that could not be
  // recorded must not happen. The writer retries its failed batch every second and clears this once it lands.
  if (service.audit.durability === "durable" && !service.audit.healthy) {
    throw refusal(503, RPC.INTERNAL_ERROR, "Service unavailable: the audit log cannot be written right now (storage is failing), so no call runs. Try again shortly.", { "retry-after": "5" });
  }
  const versionHeader = request.headers.get("mcp-protocol-version");
  if (!stateless && versionHeader !== null && !isSupportedVersion(versionHeader)) throw unsupportedVersion(versionHeader);
  const { org, project: slug } = input.params;
  // One look at the change feed for all of this request's cached reads (read-cache.ts `forRequest`).
  const reads = service.reads.forRequest();
  const project = await reads.get(`project:${org}/${slug}`, () => findProjectRef(deps.db, org, slug));
  if (!project) throw refusal(404, RPC.INVALID_REQUEST, "There is no MCP server at this address.");
  const target: McpTarget = { orgId: project.orgId, projectId: project.id, orgSlug: project.orgSlug, projectSlug: project.slug, channel };
  const ip = clientIp(request, input.server, deps.config.trustedProxy);
  // Credential failures (OAuthError 401/403) and rate limits (RateLimitError 429) propagate as thrown.
  const principal = await authenticate(deps, request, project, target, ip, reads);
  const authenticated = deps.telemetry ? performance.now() : 0;
  service.limits.hit(project.id, principal);
  const sessionId = stateless ? null : request.headers.get("mcp-session-id");
  let session: McpSession | null = null;
  if (sessionId !== null) {
    session = await service.sessions.find(sessionId, principal, target);
    if (!session) throw refusal(404, RPC.SESSION_NOT_FOUND, "Session not found: it ended or expired. Initialize a new session.");
  }
  const g: Guarded = { project, target, principal, session, versionHeader, ip, headers };
  if (deps.telemetry) g.timing = { started, authenticated };
  return g;
}
