/**
 * Who may see or do what on the settings pages and the JSON API. Both faces resolve an `Access` (the
 * signed-in user, or an API key's creator, with their role in the org) and every operation asks `need()`
 * for the lowest role it allows (DESIGN: Roles and scopes), so a page and its API twin share one gate.
 */
import type { Org, Project, Role, User } from "../db/schema";
import type { Deps } from "../deps";
import { ForbiddenError, NotFoundError } from "../errors";
import { roleAtLeast } from "../auth/scopes";
import { findOrg, roleOf } from "../projects/orgs";
import { findProject, getProjectById } from "../projects/projects";

/** How the request was authenticated: a browser session, or an API key bound to one project. */
export type Via = { kind: "session"; sessionId: string; csrfSecret: string } | { kind: "apikey"; apiKeyId: string; projectId: string };

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

/** Throws a 403 naming the role needed unless the caller's role is at least `min`. */
export function need(access: { role: Role }, min: Role, what = "do this"): void {
  if (!roleAtLeast(access.role, min)) {
    throw new ForbiddenError(`You need to be ${ROLE_WORDS[min]} of this organization to ${what}; your role is ${access.role}.`);
  }
}

/** The caller's access to an org. Non-members get a 404 so org names cannot be probed. */
export function orgAccess(deps: Deps, user: User, via: Via, orgSlug: string): OrgAccess {
  const org = findOrg(deps.db, orgSlug);
  const role = org ? roleOf(deps.db, org.id, user.id) : null;
  if (!org || !role) throw new NotFoundError(`No organization "${orgSlug}" that you are a member of.`);
  if (via.kind === "apikey" && !projectInOrg(deps, via.projectId, org.id)) {
    throw new ForbiddenError("This API key belongs to a project of another organization.");
  }
  return { user, org, role, via };
}

/** The caller's access to a project; an API key reaches only its own project. */
export function projectAccess(deps: Deps, user: User, via: Via, orgSlug: string, projectSlug: string): ProjectAccess {
  const access = orgAccess(deps, user, via, orgSlug);
  const found = findProject(deps.db, orgSlug, projectSlug);
  if (!found) throw new NotFoundError(`No project "${orgSlug}/${projectSlug}".`);
  if (via.kind === "apikey" && via.projectId !== found.project.id) {
    throw new ForbiddenError("This API key belongs to another project.");
  }
  return { ...access, project: found.project };
}

function projectInOrg(deps: Deps, projectId: string, orgId: string): boolean {
  return getProjectById(deps.db, projectId).orgId === orgId;
}
