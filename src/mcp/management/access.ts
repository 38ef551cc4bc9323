/**
 * The service-layer access of an MCP caller running a management tool (docs/architecture.md: Service
 * layer): the credential's user with their CURRENT role, and the credential's effective scopes, so
 * `invoke` applies the same permission rule as on the pages, the API and the CLI.
 */
import type { Scope } from "../../auth/scopes";
import { getUser } from "../../auth/users";
import { projectAccess, type ProjectAccess, type Via } from "../../services/access";
import type { RequestContext } from "../context";

/**
 * Management tools edit the draft from either channel: where an admin set them to "draft and production",
 * a production grant's `project:write` reaches the draft too (the project setting and the consent page's
 * management list are the consent), so it counts as draft work here.
 */
function draftWork(scopes: Scope[]): Scope[] {
  return scopes.includes("project:write") && !scopes.includes("draft") ? [...scopes, "draft"] : scopes;
}

export async function managementAccess(ctx: RequestContext): Promise<ProjectAccess> {
  const p = ctx.principal;
  if (p.kind === "anonymous") throw new Error("management tools are never offered to anonymous callers");
  const via: Via =
    p.kind === "user"
      ? { kind: "grant", grantId: p.grantId, scopes: draftWork(p.scopes) }
      : { kind: "apikey", apiKeyId: p.apiKeyId, projectId: ctx.project.id, scopes: draftWork(p.scopes), channel: null, expiresAt: null };
  return projectAccess(ctx.deps, await getUser(ctx.deps.db, p.userId), via, ctx.project.orgSlug, ctx.project.slug);
}
