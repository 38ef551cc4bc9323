/**
 * What MCP 2026-07-28 adds to every result, and the HTTP status of its errors:
 * - `resultType` on every result ("complete"; an MRTR interim result is already "input_required"), and the
 *   server's identity in `_meta["io.modelcontextprotocol/serverInfo"]` (SEP-2575, spec PR #3002);
 * - `ttlMs` and `cacheScope` on cacheable results (§Caching, SEP-2549). A result that depends on who asks
 *   (role-filtered tools, instructions only for readers, anything of a non-public project) is "private";
 *   only what an anonymous caller of a public project sees is the same for everyone, so "public". Draft
 *   channels change with every save (ttl 0); production changes only on publish or rollback, which also
 *   sends list_changed, so a minute of freshness costs nothing in correctness.
 */
import type { RequestContext } from "../context";
import { serverInfo } from "../methods/lifecycle";
import { RPC } from "../rpc-errors";
import { META } from "./meta";

const CACHEABLE = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read", "server/discover"]);
export const PRODUCTION_TTL_MS = 60_000;

/**
 * Results Portico itself made interim (MRTR `input_required`): marked by identity, so a field named
 * `resultType` inside a tool's output can never turn an ordinary result into a question.
 */
const interim = new WeakSet<object>();
export function markInputRequired<T extends object>(result: T): T {
  interim.add(result);
  return result;
}

export function decorateResult(ctx: RequestContext, method: string, result: unknown): Record<string, unknown> {
  const r = (result ?? {}) as Record<string, unknown>;
  const resultType = interim.has(r) ? "input_required" : "complete";
  const meta = { ...(r._meta as Record<string, unknown> | undefined), [META.serverInfo]: serverInfo(ctx) };
  const out: Record<string, unknown> = { ...r, resultType, _meta: meta };
  if (resultType === "complete" && CACHEABLE.has(method)) {
    out.ttlMs = ctx.target.channel === "draft" ? 0 : PRODUCTION_TTL_MS;
    out.cacheScope = ctx.principal.kind === "anonymous" ? "public" : "private";
  }
  return out;
}

/**
 * MCP 2026-07-28 §Streamable HTTP: an unknown (or removed) method is 404 with -32601; header, version and
 * capability errors are 400. Every other error of a request is its JSON-RPC reply with 200.
 */
export function errorStatus(code: number): number {
  if (code === RPC.METHOD_NOT_FOUND) return 404;
  if (code === RPC.HEADER_MISMATCH || code === RPC.MISSING_CLIENT_CAPABILITY || code === RPC.UNSUPPORTED_PROTOCOL_VERSION) return 400;
  return 200;
}
