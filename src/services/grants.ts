/**
 * Authorized apps: the org's live grants (admins see all; everyone sees their own on /account/apps) and
 * revocation, which takes effect on the grant's very next request.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { CHANNELS } from "../db/schema";
import { NotFoundError } from "../errors";
import { getGrant, listGrants, revokeGrant, type GrantListItem } from "../oauth/grants";
import { listMembers } from "../projects/orgs";
import { need, type OrgAccess } from "./access";
import { parseInput } from "./input";

/** Authorized-apps filters: project id, user id, client name or id substring, channel. */
export const GrantFilterSchema = z.object({
  project: z.string().optional(),
  user: z.string().optional(),
  client: z.string().optional(),
  channel: z.enum(CHANNELS).optional(),
});

/** A live grant with the email of the member who made it. */
export type OrgGrant = GrantListItem & { userEmail: string };

const blankToUndefined = (q: Record<string, unknown>) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== "" && v !== undefined));

/** Every live grant in the org, filtered by project id, user id, client name/id substring and channel. */
export function listOrgGrantsOp(deps: Deps, access: OrgAccess, query: unknown): OrgGrant[] {
  need(access, "admin", "see the organization's authorized apps");
  const f = parseInput(GrantFilterSchema, blankToUndefined((query ?? {}) as Record<string, unknown>));
  const emails = new Map(listMembers(deps.db, access.org.id).map((m) => [m.userId, m.email]));
  const needle = f.client?.toLowerCase();
  return listGrants(deps, { orgId: access.org.id, projectId: f.project, userId: f.user })
    .filter((g) => (!f.channel || g.channel === f.channel) && (!needle || g.clientName.toLowerCase().includes(needle) || g.clientId.toLowerCase().includes(needle)))
    .map((g) => ({ ...g, userEmail: emails.get(g.userId) ?? "former member" }));
}

/** Revokes one grant of the org (admins). */
export function revokeOrgGrantOp(deps: Deps, access: OrgAccess, grantId: string): void {
  need(access, "admin", "revoke authorized apps");
  const grant = getGrant(deps.db, grantId);
  if (!grant || grant.orgId !== access.org.id) throw new NotFoundError("No such authorized app in this organization.");
  revokeGrant(deps, grantId, { actorId: access.user.id, reason: "revoked by an admin" });
}

/** The user's own live grants across every org. */
export function listOwnGrants(deps: Deps, userId: string): GrantListItem[] {
  return listGrants(deps, { userId });
}

/** Revokes one of the user's own grants. */
export function revokeOwnGrant(deps: Deps, userId: string, grantId: string): void {
  const grant = getGrant(deps.db, grantId);
  if (!grant || grant.userId !== userId) throw new NotFoundError("No such connected app.");
  revokeGrant(deps, grantId, { actorId: userId, reason: "revoked by the user" });
}
