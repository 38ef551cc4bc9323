/**
 * Everything one JSON-RPC request's handler may use, and the audit notes it fills in. One context per
 * message; the endpoint turns the notes into exactly one audit row.
 */
import type { Span } from "@opentelemetry/api";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../auth/principal";
import type { Deps } from "../deps";
import type { ErrorClass } from "../tools/types";
import type { McpTarget } from "./access";
import type { ChannelView } from "./channel";
import type { ProjectRef } from "../projects/project-ref";
import type { McpService } from "./service";
import { JsonRpcError, RPC } from "./rpc-errors";
import type { LogLevel, McpSession } from "./sessions";

/** `Deps.tools` (src/tools/runtime.ts) provides the tool runtimes. */
export type McpDeps = Deps;

/** What the audit row records about a request beyond who/when/where. */
export interface AuditNotes {
  tool?: string;
  version?: number | null;
  input?: unknown;
  output?: unknown;
  status: "ok" | "error";
  errorClass?: ErrorClass | "protocol" | "auth";
  error?: string;
  /** Handler log lines; the runtime has already redacted known secret values from them and the output. */
  logs?: string[];
}

export interface RequestContext {
  deps: McpDeps;
  service: McpService;
  project: ProjectRef;
  target: McpTarget;
  principal: Principal;
  session: McpSession | null;
  protocolVersion: string;
  /**
   * True for MCP 2026-07-28 requests: no session, everything comes from this request (its `_meta`, its
   * credential). Handlers must not read or write anything held in memory from an earlier request.
   */
  stateless: boolean;
  /** What the client declared it can do: the request's `_meta` clientCapabilities (2026) or initialize's (2025 sessions); {} when unknown. */
  clientCapabilities: Record<string, unknown>;
  /** Who the client says it is: the request's `_meta` clientInfo (2026) or initialize's (2025); for the audit row's host. */
  clientInfo: { name: string; version: string } | null;
  /** Minimum level for `notifications/message`: per request from `_meta` (2026; null = send none) or the session's logging/setLevel. */
  logLevel: LogLevel | null;
  /** W3C trace context from `_meta.traceparent` (MCP 2026-07-28, SEP-414), recorded in the audit row and logs. */
  traceparent: string | null;
  /** This request's OpenTelemetry span (src/mcp/trace.ts); null whenever telemetry is off. */
  span: Span | null;
  request: Request;
  /** Sends a notification related to this request (progress, logging); dropped when it cannot stream. */
  notify(message: JSONRPCMessage): void;
  /** True when `notify` reaches the client (single request that accepts SSE). */
  canStream: boolean;
  /** Lifts Bun's 10 s idle timeout for a slow call. */
  keepOpen(): void;
  signal: AbortSignal;
  notes: AuditNotes;
}

/** The channel's view; on an unpublished production channel, an error telling the admin what to do. */
export async function channelView(ctx: RequestContext): Promise<ChannelView> {
  const view = await ctx.service.views.get(ctx.project, ctx.target.channel);
  if (!view) {
    const ref = `${ctx.project.orgSlug}/${ctx.project.slug}`;
    throw new JsonRpcError(
      RPC.NOT_PUBLISHED,
      `Nothing has been published on ${ref} yet. An admin must publish the draft first (Publish on the project page, or \`portico publish ${ref}\`); until then only the draft channel (${ref}/draft) has tools.`,
    );
  }
  ctx.notes.version = view.version;
  return view;
}
