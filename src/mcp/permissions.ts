/**
 * Scope checks for MCP methods and tools (docs/architecture.md: Roles and scopes). A scope the caller's current role
 * does not allow is simply absent (tools vanish from the list; calling one is an `isError` result, never
 * a step-up loop); a scope the role allows but the grant lacks is 403 `insufficient_scope` (thrown by
 * the OAuth domain's `requireScope`), so a host can ask the user to approve more.
 */
import type { Scope } from "../auth/scopes";
import { requireScope } from "../oauth/bearer";
import { InsufficientScopeError } from "../oauth/errors";
import { grantPrefix, recordHandshake } from "../doctor/handshake";
import type { RequestContext } from "./context";
import { JsonRpcError, RPC } from "./rpc-errors";

/** Whether the caller holds `scope` now (its scopes are already narrowed to the current role). */
export function holds(ctx: RequestContext, scope: Scope): boolean {
  return ctx.principal.scopes.includes(scope);
}

/** true = allowed; false = the role does not allow it; throws 403 insufficient_scope when only the grant lacks it. */
export function checkScope(ctx: RequestContext, scope: Scope): boolean {
  try {
    return requireScope(ctx.principal, scope, ctx.target, ctx.deps.config.publicUrl);
  } catch (err) {
    if (err instanceof InsufficientScopeError) noteMissingScope(ctx, scope);
    throw err;
  }
}

/**
 * Tells the connection doctor about a 403 insufficient_scope, once a minute per grant and scope. Not awaited:
 * the check is synchronous on every method; the note is off the answer's path and its failure only logged.
 */
function noteMissingScope(ctx: RequestContext, scope: Scope): void {
  const { principal, deps } = ctx;
  if (principal.kind !== "user") return;
  const seen = deps.oauth.refusalRecordedAt;
  const key = `scope:${principal.grantId}:${scope}`;
  const now = deps.clock.now();
  if (now - (seen.get(key) ?? 0) < 60_000) return;
  if (seen.size >= 50_000) seen.clear();
  seen.set(key, now);
  const detail = { why: "missing_scope", scope, channel: ctx.target.channel, grant: grantPrefix(principal.grantId), status: 403 };
  recordHandshake(deps.db, { projectId: ctx.target.projectId, clientId: principal.clientId, step: "mcp", outcome: "fail", reason: `missing scope ${scope}`, detail }, now)
    .catch((err) => deps.log.warn({ err: String(err) }, "connection doctor: missing-scope refusal not recorded"));
}

/** Methods need their scope, plus `draft` on the draft channel; a refusal is a JSON-RPC error. */
export function requireMethodScope(ctx: RequestContext, scope: Scope): void {
  const needed: Scope[] = ctx.target.channel === "draft" ? ["draft", scope] : [scope];
  for (const s of needed) {
    if (!checkScope(ctx, s)) throw new JsonRpcError(RPC.SCOPE_DENIED, `Your role does not allow this (it needs the "${s}" scope).`);
  }
}
