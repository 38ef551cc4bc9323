/**
 * Lifecycle and utility methods (MCP 2025-11-25 §Lifecycle, §Utilities): initialize with version
 * negotiation, ping, logging/setLevel, and completion/complete (Portico has nothing to complete).
 */
import {
  CompleteRequestParamsSchema, InitializeRequestParamsSchema, LATEST_PROTOCOL_VERSION, SetLevelRequestParamsSchema,
  type InitializeResult,
} from "@modelcontextprotocol/sdk/types.js";
import { BUILD } from "../../build-info";
import type { RequestContext } from "../context";
import { holds } from "../permissions";
import { parseParams } from "../rpc";

/** The session-based (2025) protocol versions Portico speaks (docs/architecture.md: MCP transport rules), newest first. */
export const MCP_VERSIONS = [LATEST_PROTOCOL_VERSION, "2025-06-18", "2025-03-26"] as const;
/** Every version served on a channel URL: 2026-07-28 statelessly, the others with initialize and sessions. */
export const ALL_VERSIONS = ["2026-07-28", ...MCP_VERSIONS] as const;
/** Streamable HTTP: a request without MCP-Protocol-Version and without a session is assumed 2025-03-26. */
export const FALLBACK_VERSION = "2025-03-26";

export function isSupportedVersion(v: string): boolean {
  return (MCP_VERSIONS as readonly string[]).includes(v);
}

/** Answers initialize and opens a session bound to the caller's credential. */
export async function initialize(ctx: RequestContext, params: unknown): Promise<InitializeResult> {
  const p = parseParams(InitializeRequestParamsSchema, params);
  // §Version negotiation: echo a supported version, otherwise offer our latest and let the client decide.
  const protocolVersion = isSupportedVersion(p.protocolVersion) ? p.protocolVersion : LATEST_PROTOCOL_VERSION;
  const clientInfo = { name: p.clientInfo.name.slice(0, 200), version: p.clientInfo.version.slice(0, 100) };
  ctx.session = await ctx.service.sessions.create(ctx.principal, ctx.target, protocolVersion, clientInfo, (p.capabilities ?? {}) as Record<string, unknown>);
  ctx.clientCapabilities = ctx.session.clientCapabilities;
  ctx.protocolVersion = protocolVersion;
  return { protocolVersion, capabilities: SERVER_CAPABILITIES, serverInfo: serverInfo(ctx), ...(await instructions(ctx)) };
}

/** What every channel offers; the same in initialize (2025) and server/discover (both worlds). */
export const SERVER_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
};

export function serverInfo(ctx: RequestContext): { name: string; version: string } {
  const draft = ctx.target.channel === "draft";
  return { name: draft ? `${ctx.project.name} (draft)` : ctx.project.name, version: BUILD.version };
}

/**
 * Issue 11 #12 (docs/architecture.md: project:read covers "read instructions"): only a caller who may list
 * the tools gets the instructions; anyone else still initializes or discovers, without them (no 403).
 * They are the channel's (issue 16 #4): the draft's on the draft, the pinned version's on production
 * (none before the first publish).
 */
export async function instructions(ctx: RequestContext): Promise<{ instructions?: string }> {
  if (!mayRead(ctx)) return {};
  const text = (await ctx.service.views.get(ctx.project, ctx.target.channel))?.instructions;
  return text ? { instructions: text } : {};
}

/**
 * server/discover (MCP 2026-07-28 §Discovery): the versions, capabilities and identity, served in both
 * worlds (a 2025 client may probe with it too). Caching hints and `resultType` are added by the stateless
 * transport for 2026 requests.
 */
export async function discover(ctx: RequestContext) {
  return { supportedVersions: [...ALL_VERSIONS], capabilities: SERVER_CAPABILITIES, ...(await instructions(ctx)), ...(ctx.stateless ? {} : { serverInfo: serverInfo(ctx) }) };
}

/** What tools/list requires (project:read, plus draft on the draft channel), asked without throwing. */
function mayRead(ctx: RequestContext): boolean {
  return holds(ctx, "project:read") && (ctx.target.channel !== "draft" || holds(ctx, "draft"));
}

export async function setLevel(ctx: RequestContext, params: unknown): Promise<Record<string, never>> {
  const p = parseParams(SetLevelRequestParamsSchema, params);
  if (ctx.session) await ctx.service.sessions.setLogLevel(ctx.session, p.level);
  return {};
}

export function complete(_ctx: RequestContext, params: unknown) {
  parseParams(CompleteRequestParamsSchema, params);
  return { completion: { values: [], hasMore: false } };
}
