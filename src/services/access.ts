/**
 * Who may see or do what on the settings pages and the JSON API. Both faces resolve an `Access` (the
 * signed-in user, or an API key's creator, with their role in the org) and every operation asks `need()`
 * for the lowest role it allows (docs/architecture.md: Roles and scopes), so a page and its API twin share one gate.
 */
import type { Channel, Org, Project, Role, User } from "../db/schema";
import type { Deps } from "../deps";
import { ForbiddenError, NotFoundError } from "../errors";
import { roleAtLeast, scopeCeiling, type Scope } from "../auth/scopes";
import { findOrg, roleOf } from "../projects/orgs";
import { findProject, getProjectById } from "../projects/projects";

/**
 * How the request was authenticated: a browser session, or an API key bound to one project. A key's
 * `scopes` are already its own scopes ∩ what its creator's CURRENT role allows on its channel (issue 11 #2);
 * `channel` null = any channel those scopes allow; `expiresAt` bounds the keys it may create.
 */
export type Via =
  | { kind: "session"; sessionId: string; csrfSecret: string }
  | { kind: "apikey"; apiKeyId: string; projectId: string; scopes: Scope[]; channel: Channel | null; expiresAt: number | null }
  /** An OAuth grant running a management tool over MCP: its effective scopes (granted ∩ current role). */
  | { kind: "grant"; grantId: string; scopes: Scope[] }
  /** The CLI on the data dir, acting as a named user (`--as EMAIL`): that user's role, no scopes to hold. */
  | { kind: "operator" };

/** The scopes a credential carries, or null for callers bounded by their role alone (sessions, the CLI). */
function scopesOf(via: Via | undefined): Scope[] | null {
  return via?.kind === "apikey" || via?.kind === "grant" ? via.scopes : null;
}

/** A caller resolved against one org: who, their role there, and how they authenticated. */
export interface OrgAccess {
  user: User;
  org: Org;
  role: Role;
  via: Via;
}

/** An OrgAccess narrowed to one project of that org. */
export interface ProjectAccess extends OrgAccess {
  project: Project;
}

const ROLE_WORDS: Record<Role, string> = { viewer: "a viewer", developer: "a developer", admin: "an admin", owner: "an owner" };

/**
 * Throws a 403 naming the role needed unless the caller's role is at least `min`. An API key must also
 * hold every scope in `scopes` (docs/architecture.md: Roles and scopes, "API keys map onto this table too"); where an
 * operation names no scope, the key may act no higher than its scopes' ceiling (`scopeCeiling`), so an
 * MCP-only key is a reader on the JSON API whatever its creator's role (issue 11 #2).
 */
export function need(access: { role: Role; via?: Via }, min: Role, what = "do this", scopes?: readonly Scope[]): void {
  if (!roleAtLeast(access.role, min)) {
    throw new ForbiddenError(`You need to be ${ROLE_WORDS[min]} of this organization to ${what}; your role is ${access.role}.`);
  }
  const via = access.via;
  const held = scopesOf(via);
  if (!held) return;
  const missing = scopes ? scopes.filter((s) => !held.includes(s)) : [];
  if (missing.length > 0 || (!scopes && !roleAtLeast(scopeCeiling(held), min))) {
    const lacking = missing.length ? missing.map((s) => `"${s}"`).join(" and ") : `a scope for ${ROLE_WORDS[min]}'s work`;
    const who = via?.kind === "grant" ? "This authorization" : "This API key";
    const channel = via?.kind === "apikey" && via.channel ? ` on the ${via.channel} channel` : "";
    throw new ForbiddenError(`${who} cannot ${what}: it lacks ${lacking}${channel} (it carries: ${held.join(" ") || "no usable scopes"}).`);
  }
}

/**
 * Whether the caller may see the draft (docs/architecture.md: "Viewers see the production version on every face; draft
 * views need developer", issue 11 #13): a developer or above, and for an API key the `draft` and
 * `project:write` scopes (which a production-only key never has).
 */
export function canReadDraft(access: ProjectAccess): boolean {
  if (!roleAtLeast(access.role, "developer")) return false;
  const held = scopesOf(access.via);
  return !held || (held.includes("draft") && held.includes("project:write"));
}

/** Gate for anything on the draft: developer, and for a key `draft` + `project:write` (issue 11 #2, #13). */
export function needDraft(access: ProjectAccess, what: string): void {
  need(access, "developer", what, ["draft", "project:write"]);
}

/** Gate for reading what production serves: any member; a key needs `project:read` and not be draft-only. */
export function needProductionRead(access: ProjectAccess, what: string): void {
  need(access, "viewer", what, ["project:read"]);
  if (access.via.kind === "apikey" && access.via.channel === "draft") {
    throw new ForbiddenError(`This API key only works on the draft channel, so it cannot ${what} from production.`);
  }
}

/** The caller's access to an org. Non-members get a 404 so org names cannot be probed. */
export async function orgAccess(deps: Deps, user: User, via: Via, orgSlug: string): Promise<OrgAccess> {
  const org = await findOrg(deps.db, orgSlug);
  const role = org ? (await roleOf(deps.db, org.id, user.id)) : null;
  if (!org || !role) throw new NotFoundError(`No organization "${orgSlug}" that you are a member of.`);
  if (via.kind === "apikey" && !(await projectInOrg(deps, via.projectId, org.id))) {
    throw new ForbiddenError("This API key belongs to a project of another organization.");
  }
  return { user, org, role, via };
}

/** The caller's access to a project; an API key reaches only its own project. */
export async function projectAccess(deps: Deps, user: User, via: Via, orgSlug: string, projectSlug: string): Promise<ProjectAccess> {
  const access = await orgAccess(deps, user, via, orgSlug);
  const found = await findProject(deps.db, orgSlug, projectSlug);
  if (!found) throw new NotFoundError(`No project "${orgSlug}/${projectSlug}".`);
  if (via.kind === "apikey" && via.projectId !== found.project.id) {
    throw new ForbiddenError("This API key belongs to another project.");
  }
  return { ...access, project: found.project };
}

async function projectInOrg(deps: Deps, projectId: string, orgId: string): Promise<boolean> {
  return (await getProjectById(deps.db, projectId)).orgId === orgId;
}
