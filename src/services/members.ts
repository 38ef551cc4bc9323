/**
 * Member operations (docs/architecture.md: Service layer): the member list, invite links with a role,
 * role changes, removal and ending a member's access here. Admins manage members; only owners hand out,
 * change or take away the owner role (an org always keeps one owner: the orgs storage refuses to demote
 * or remove the last). Each change's org audit event is declared here and recorded once by `invoke`.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { createInvite, listInvites, revokeInvite } from "../auth/invites";
import { ROLES, type Role } from "../db/schema";
import { listMembers, removeMember, roleOf, setRole } from "../projects/orgs";
import { NotFoundError } from "../errors";
import { revokeUserGrantsInOrg } from "../oauth/grants";
import { roleAtLeast } from "../auth/scopes";
import { revokeUserKeysInOrg } from "../apikeys/keys";
import { need, type OrgAccess } from "./access";
import { CAN, orgOperation, READ_ONLY } from "./operation";

/** An invite: the role it grants and optionally the only email that may accept it. */
export const InviteSchema = z.object({
  role: z.enum(ROLES),
  email: z.preprocess((v) => (v === "" ? undefined : v), z.email().optional()),
});
/** A role change: whose (the path's user id) and to what. */
export const RoleChangeSchema = z.object({ userId: z.string().min(1).max(100), role: z.enum(ROLES) });
/** The member an operation acts on (the path's user id). */
const MemberSchema = z.object({ userId: z.string().min(1).max(100) });

function ownerGate(access: OrgAccess, ...roles: Array<Role | null>): void {
  if (roles.includes("owner")) need(access, "owner", "give, change or remove the owner role");
}

async function memberRole(deps: Deps, access: OrgAccess, userId: string): Promise<Role> {
  const role = await roleOf(deps.db, access.org.id, userId);
  if (!role) throw new NotFoundError("That user is not a member of this organization.");
  return role;
}

/** A new invite: its link (shown once) and what the audit event names. */
type NewInvite = Awaited<ReturnType<typeof createInvite>>;

const userTarget = (i: { userId: string }) => ({ type: "user", id: i.userId });

/** Members, plus pending invites for admins (who alone can act on them). Any member may look. */
export const viewMembers = orgOperation({
  name: "members.view",
  summary: "Members with roles, and pending invites (admins)",
  what: "see the members",
  input: z.object({}),
  permission: { role: "viewer", scopes: [] },
  audit: READ_ONLY,
  run: async (deps, access) => ({ members: await listMembers(deps.db, access.org.id), invites: roleAtLeast(access.role, "admin") ? (await listInvites(deps, access.org.id)) : [] }),
});

/** Creates an invite link (shown once) for a role. */
export const inviteMember = orgOperation({
  name: "members.invite",
  summary: "Create an invite link for a role; the link is returned only here (admin; owner for owners)",
  what: "invite members",
  input: InviteSchema,
  permission: CAN.manageSettings,
  audit: {
    action: "invite.created",
    target: (_, o: NewInvite) => ({ type: "invite", id: o.id }),
    details: (_, o: NewInvite) => ({ role: o.role, email: o.email, ttlHours: o.ttlHours }),
  },
  run: async (deps, access, data) => {
    ownerGate(access, data.role);
    return await createInvite(deps, { orgId: access.org.id, role: data.role, email: data.email, createdBy: access.user.id });
  },
});

/** Withdraws a pending invite (admins). */
export const revokeMemberInvite = orgOperation({
  name: "members.revoke-invite",
  summary: "Withdraw a pending invite (admin)",
  what: "withdraw invites",
  input: z.object({ id: z.string().min(1).max(100) }),
  permission: CAN.manageSettings,
  audit: { action: "invite.revoked", target: (i) => ({ type: "invite", id: i.id }), details: (_, o: { role: Role }) => ({ role: o.role }) },
  run: async (deps, access, i) => (await revokeInvite(deps, { orgId: access.org.id, inviteId: i.id })),
});

/**
 * Changes a member's role; a lowered role takes effect on their grants' next request (re-checked each
 * time). Setting the role a member already has changes nothing and records nothing.
 */
export const changeRole = orgOperation({
  name: "members.change-role",
  summary: "Change a member's role (admin; owner for the owner role)",
  what: "change roles",
  input: RoleChangeSchema,
  permission: CAN.manageSettings,
  audit: { action: "member.role", target: userTarget, details: (_, o: { from: Role; to: Role }) => ({ from: o.from, to: o.to }), when: (_, o) => o.from !== o.to },
  run: async (deps, access, i): Promise<{ from: Role; to: Role }> => {
    ownerGate(access, i.role, await memberRole(deps, access, i.userId));
    return { from: await setRole(deps.db, access.org.id, i.userId, i.role), to: i.role };
  },
});

/**
 * Removes a member and revokes every grant and API key they made in this org at once (their hosts and
 * scripts get 401 next; each revocation is its own org event). Keys stay revoked for good: re-adding the
 * member does not bring them back (issue 11 #2 — before, a key only looked at current membership).
 */
export const removeOrgMember = orgOperation({
  name: "members.remove",
  summary: "Remove a member; their grants and API keys in this org are revoked at once, for good (admin)",
  what: "remove members",
  input: MemberSchema,
  permission: CAN.manageSettings,
  audit: { action: "member.removed", target: userTarget, details: (_, o: { role: Role; grantsRevoked: number; keysRevoked: number }) => o },
  run: async (deps, access, i) => {
    ownerGate(access, await memberRole(deps, access, i.userId));
    const role = await removeMember(deps.db, access.org.id, i.userId);
    const actor = { actorId: access.user.id, reason: "member removed" };
    const grantsRevoked = await revokeUserGrantsInOrg(deps, access.org.id, i.userId, actor);
    const keysRevoked = await revokeUserKeysInOrg(deps, access.org.id, i.userId, actor);
    return { role, grantsRevoked, keysRevoked };
  },
});

/**
 * Ends a member's access to this org's projects: their OAuth grants for this org and their API keys in it
 * (their hosts and scripts get 401 next; they may connect again). An org admin acts only on what belongs to
 * the org (issue 11 #4): the member's browser sessions, and their grants in other orgs, are theirs and
 * survive — signing out everywhere is the member's own account action. Admins may do this to anyone but an owner.
 */
export const endMemberAccess = orgOperation({
  name: "members.end-access",
  summary: "End a member's access to this org: their OAuth grants for its projects and their API keys in it; their sessions and other orgs are untouched (admin; owner for owners)",
  what: "end members' access",
  input: MemberSchema,
  permission: CAN.manageSettings,
  audit: { action: "member.access_ended", target: userTarget, details: (_, o: { grantsRevoked: number; keysRevoked: number }) => o },
  run: async (deps, access, i): Promise<{ grantsRevoked: number; keysRevoked: number }> => {
    ownerGate(access, await memberRole(deps, access, i.userId));
    const actor = { actorId: access.user.id, reason: "access ended by an org admin" };
    const grantsRevoked = await revokeUserGrantsInOrg(deps, access.org.id, i.userId, actor);
    const keysRevoked = await revokeUserKeysInOrg(deps, access.org.id, i.userId, actor);
    return { grantsRevoked, keysRevoked };
  },
});
