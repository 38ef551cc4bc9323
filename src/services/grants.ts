/**
 * Authorized apps (docs/architecture.md: Service layer): the org's live grants — not revoked, approving
 * session still live — for admins, on every face (pages, API, `portico_list_grants`); revocation, which
 * takes effect on the grant's very next request; and the account face's own grants.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { CHANNELS } from "../db/schema";
import { NotFoundError } from "../errors";
import { getGrant, listGrants, revokeGrant, type GrantListItem } from "../oauth/grants";
import { listMembers } from "../projects/orgs";
import { need, type OrgAccess, type ProjectAccess } from "./access";
import { CAN, orgOperation, READ_ONLY } from "./operation";

const blank = (v: unknown) => (v === "" ? undefined : v);

/** Authorized-apps filters: project id, user id, client name or id substring, channel (empty = any). */
export const GrantFilterSchema = z.object({
  project: z.preprocess(blank, z.string().optional()),
  user: z.preprocess(blank, z.string().optional()),
  client: z.preprocess(blank, z.string().optional()),
  channel: z.preprocess(blank, z.enum(CHANNELS).optional()),
});

/** A live grant with the email and display name of the member who made it. */
export type OrgGrant = GrantListItem & { userEmail: string; userName: string | null };

/**
 * Every live grant in the org, filtered by project id, user id, client name/id substring and channel. A
 * caller bound to one project (a management tool on its MCP endpoint) sees that project's grants only.
 */
export const listOrgGrants = orgOperation({
  name: "grants.list",
  summary: "Every live grant (authorized app) in the org, newest first (admin; no tokens)",
  what: "see the organization's authorized apps",
  input: GrantFilterSchema,
  permission: CAN.manageSettings,
  audit: READ_ONLY,
  run: async (deps, access, f): Promise<OrgGrant[]> => {
    const bound = "project" in access ? (access as ProjectAccess).project.id : undefined;
    if (bound && f.project && f.project !== bound) return [];
    const members = new Map((await listMembers(deps.db, access.org.id)).map((m) => [m.userId, m]));
    const needle = f.client?.toLowerCase();
    return (await listGrants(deps, { orgId: access.org.id, projectId: bound ?? f.project, userId: f.user }))
      .filter((g) => (!f.channel || g.channel === f.channel) && (!needle || g.clientName.toLowerCase().includes(needle) || g.clientId.toLowerCase().includes(needle)))
      .map((g) => ({ ...g, userEmail: members.get(g.userId)?.email ?? "former member", userName: members.get(g.userId)?.name ?? null }));
  },
});

/**
 * Revokes one grant of the org (admins). Not yet a declared operation: its `grant.revoked` event is written
 * by `revokeGrant` with the grant's project, which the OAuth endpoints and member removal need too, and an
 * org-level access cannot name that project to `invoke`.
 */
export async function revokeOrgGrantOp(deps: Deps, access: OrgAccess, grantId: string): Promise<void> {
  need(access, "admin", "revoke authorized apps");
  const grant = await getGrant(deps.db, grantId);
  if (!grant || grant.orgId !== access.org.id) throw new NotFoundError("No such authorized app in this organization.");
  await revokeGrant(deps, grantId, { actorId: access.user.id, reason: "revoked by an admin" });
}

/**
 * The user's own live grants across every org (the account face). Account actions belong to a person,
 * not to an org role, so they are plain functions rather than org operations.
 */
export async function listOwnGrants(deps: Deps, userId: string): Promise<GrantListItem[]> {
  return await listGrants(deps, { userId });
}

/** Revokes one of the user's own grants. */
export async function revokeOwnGrant(deps: Deps, userId: string, grantId: string): Promise<void> {
  const grant = await getGrant(deps.db, grantId);
  if (!grant || grant.userId !== userId) throw new NotFoundError("No such connected app.");
  await revokeGrant(deps, grantId, { actorId: userId, reason: "revoked by the user" });
}
