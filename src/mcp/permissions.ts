/**
 * Scope checks for MCP methods and tools (DESIGN: Roles and scopes). A scope the caller's current role
 * does not allow is simply absent (tools vanish from the list; calling one is an `isError` result, never
 * a step-up loop); a scope the role allows but the grant lacks is 403 `insufficient_scope`, so a host
 * can ask the user to approve more.
 */
import { SCOPE_MIN_ROLE, roleAtLeast, type Scope } from "../auth/scopes";
import { JsonRpcError, OAuthError } from "../errors";
import { bearerChallenge } from "./access";
import type { RequestContext } from "./context";

function roleAllows(ctx: RequestContext, scope: Scope): boolean {
  const p = ctx.principal;
  if (scope === "draft" && ctx.target.channel !== "draft") return false;
  if (p.kind === "anonymous") return p.scopes.includes(scope);
  return roleAtLeast(p.role, SCOPE_MIN_ROLE[scope]);
}

/** Whether the caller holds `scope` now, without side effects (used to filter lists). */
export function holds(ctx: RequestContext, scope: Scope): boolean {
  return ctx.principal.scopes.includes(scope) && roleAllows(ctx, scope);
}

/** true = allowed; false = the role does not allow it; throws 403 insufficient_scope when only the grant lacks it. */
export function checkScope(ctx: RequestContext, scope: Scope): boolean {
  if (holds(ctx, scope)) return true;
  if (!roleAllows(ctx, scope)) return false;
  const description = `This app's authorization does not include "${scope}"; approve it again to add it.`;
  const challenge = bearerChallenge(ctx.deps.config, ctx.target, { code: "insufficient_scope", description }).replace(
    /scope="[^"]*"/,
    `scope="${[...new Set([...ctx.principal.scopes, scope])].join(" ")}"`,
  );
  throw new OAuthError("insufficient_scope", description, 403, { "www-authenticate": challenge });
}

/** Methods need their scope, plus `draft` on the draft channel; a refusal is a JSON-RPC error. */
export function requireMethodScope(ctx: RequestContext, scope: Scope): void {
  const needed: Scope[] = ctx.target.channel === "draft" ? ["draft", scope] : [scope];
  for (const s of needed) {
    if (!checkScope(ctx, s)) throw new JsonRpcError(-32001, `Your role does not allow this (it needs the "${s}" scope).`);
  }
}
