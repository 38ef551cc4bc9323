/**
 * Member operations shared by the pages and the API: invite links with a role, role changes, removal.
 * Admins manage members; only owners hand out, change or take away the owner role (an org always keeps
 * one owner: the orgs service refuses to demote or remove the last).
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { recordOrgEvent } from "../audit/org-audit";
import { createInvite, listInvites, revokeInvite } from "../auth/invites";
import { ROLES, type Role } from "../db/schema";
import { listMembers, removeMember, roleOf, setRole } from "../projects/orgs";
import { NotFoundError } from "../errors";
import { revokeUserGrantsInOrg } from "../oauth/grants";
import { roleAtLeast } from "../auth/scopes";
import { revokeUserKeysInOrg } from "../apikeys/keys";
import { need, type OrgAccess } from "./access";
import { parseInput } from "./input";

/** An invite: the role it grants and optionally the only email that may accept it. */
export const InviteSchema = z.object({
  role: z.enum(ROLES),
  email: z.preprocess((v) => (v === "" ? undefined : v), z.email().optional()),
});
/** A role change. */
export const RoleChangeSchema = z.object({ role: z.enum(ROLES) });

function ownerGate(access: OrgAccess, ...roles: Array<Role | null>): void {
  if (roles.includes("owner")) need(access, "owner", "give, change or remove the owner role");
}

/** Members, plus pending invites for admins (who alone can act on them). */
export function membersView(deps: Deps, access: OrgAccess) {
  return { members: listMembers(deps.db, access.org.id), invites: roleAtLeast(access.role, "admin") ? listInvites(deps, access.org.id) : [] };
}

/** Creates an invite link (shown once) for a role. */
export function inviteOp(deps: Deps, access: OrgAccess, input: unknown) {
  need(access, "admin", "invite members");
  const data = parseInput(InviteSchema, input);
  ownerGate(access, data.role);
  return createInvite(deps, { orgId: access.org.id, role: data.role, email: data.email, createdBy: access.user.id });
}

/** Withdraws a pending invite (admins). */
export function revokeInviteOp(deps: Deps, access: OrgAccess, inviteId: string): void {
  need(access, "admin", "withdraw invites");
  revokeInvite(deps, { orgId: access.org.id, inviteId, actorId: access.user.id });
}

function memberRole(deps: Deps, access: OrgAccess, userId: string): Role {
  const role = roleOf(deps.db, access.org.id, userId);
  if (!role) throw new NotFoundError("That user is not a member of this organization.");
  return role;
}

/** Changes a member's role; a lowered role takes effect on their grants' next request (re-checked each time). */
export function changeRoleOp(deps: Deps, access: OrgAccess, userId: string, input: unknown): { from: Role; to: Role } {
  need(access, "admin", "change roles");
  const { role } = parseInput(RoleChangeSchema, input);
  ownerGate(access, role, memberRole(deps, access, userId));
  const from = setRole(deps.db, access.org.id, userId, role);
  if (from !== role) {
    recordOrgEvent(deps.db, { orgId: access.org.id, actorId: access.user.id, action: "member.role", targetType: "user", targetId: userId, details: { from, to: role } });
  }
  return { from, to: role };
}

/**
 * Removes a member and revokes every grant and API key they made in this org at once (their hosts and
 * scripts get 401 next). Keys stay revoked for good: re-adding the member does not bring them back
 * (issue 11 #2 — before, a key only looked at current membership).
 */
export function removeMemberOp(deps: Deps, access: OrgAccess, userId: string): void {
  need(access, "admin", "remove members");
  ownerGate(access, memberRole(deps, access, userId));
  const role = removeMember(deps.db, access.org.id, userId);
  const actor = { actorId: access.user.id, reason: "member removed" };
  const grantsRevoked = revokeUserGrantsInOrg(deps, access.org.id, userId, actor);
  const keysRevoked = revokeUserKeysInOrg(deps, access.org.id, userId, actor);
  recordOrgEvent(deps.db, {
    orgId: access.org.id, actorId: access.user.id, action: "member.removed", targetType: "user", targetId: userId, details: { role, grantsRevoked, keysRevoked },
  });
}

/**
 * Ends a member's access to this org's projects: their OAuth grants for this org and their API keys in it
 * (their hosts and scripts get 401 next; they may connect again). An org admin acts only on what belongs to
 * the org (issue 11 #4): the member's browser sessions, and their grants in other orgs, are theirs and
 * survive — signing out everywhere is the member's own account action. Admins may do this to anyone but an owner.
 */
export function endMemberOrgAccessOp(deps: Deps, access: OrgAccess, userId: string): { grantsRevoked: number; keysRevoked: number } {
  need(access, "admin", "end members' access");
  ownerGate(access, memberRole(deps, access, userId));
  const actor = { actorId: access.user.id, reason: "access ended by an org admin" };
  const grantsRevoked = revokeUserGrantsInOrg(deps, access.org.id, userId, actor);
  const keysRevoked = revokeUserKeysInOrg(deps, access.org.id, userId, actor);
  recordOrgEvent(deps.db, {
    orgId: access.org.id, actorId: access.user.id, action: "member.access_ended", targetType: "user", targetId: userId, details: { grantsRevoked, keysRevoked },
  });
  return { grantsRevoked, keysRevoked };
}
