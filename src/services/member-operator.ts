/**
 * `portico member add`: the operator (who holds the data dir, not a member's role) adds an existing user
 * with a role, or makes an invite link. Not operations run by `invoke`: there is no acting member to
 * check; the invite still records the `members.invite` operation's own event (`recordAudit`).
 */
import { recordOrgEvent } from "../audit/org-audit";
import { createInvite } from "../auth/invites";
import type { Org, Role, User } from "../db/schema";
import type { Deps } from "../deps";
import { addMember } from "../projects/orgs";
import { inviteMember } from "./members";
import { recordAudit } from "./operation";

/** The CLI's actor id on invites it makes (no user acts). */
const CLI_ACTOR = "cli";

/** Adds `user` to `org` with `role`, recorded as `member.added` via the CLI. */
export async function addMemberAsOperator(deps: Deps, org: Org, user: User, role: Role): Promise<void> {
  await addMember(deps.db, org.id, user.id, role, deps.clock.now());
  await recordOrgEvent(deps.db, { orgId: org.id, actorId: null, action: "member.added", targetType: "user", targetId: user.id, details: { role, via: "cli" }, time: deps.clock.now() });
}

/** An invite link for `role` (optionally for one email only), made by the CLI. */
export async function inviteAsOperator(deps: Deps, org: Org, role: Role, email?: string) {
  const invite = await createInvite(deps, { orgId: org.id, role, email, createdBy: CLI_ACTOR });
  await recordAudit(deps, inviteMember.audit, { orgId: org.id, actorId: CLI_ACTOR }, { role, email }, invite);
  return invite;
}
