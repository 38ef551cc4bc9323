/** `portico member add`: give a user a role in an organization, or print an invite link for someone new. */
import { recordOrgEvent } from "../../audit/org-audit";
import { createInvite } from "../../auth/invites";
import { ROLES, type Role } from "../../db/schema";
import { addMember, getOrg } from "../../projects/orgs";
import { UsageError } from "../args";
import { flag, lines, userFlag, withDeps, type Command } from "../command";

export const memberAddCommand: Command = {
  spec: {
    name: "member add",
    summary: "add a user to an organization with a role (or print an invite link)",
    flags: {
      org: { description: "organization slug", value: "ORG", required: true },
      email: { description: "the user's email", value: "EMAIL" },
      role: { description: `one of ${ROLES.join(", ")}`, value: "ROLE", required: true },
      invite: { description: "print a one-time invite link instead (for someone without an account)", type: "boolean" },
    },
    details: "Without --invite the user must exist (portico user create). With --invite, --email restricts who may accept.",
  },
  async run(ctx) {
    const role = flag(ctx, "role") as Role;
    if (!ROLES.includes(role)) throw new UsageError("role", `must be one of ${ROLES.join(", ")}`);
    return withDeps(ctx, (deps) => {
      const org = getOrg(deps.db, flag(ctx, "org"));
      if (ctx.args.switches.invite) {
        const invite = createInvite(deps, { orgId: org.id, role, email: ctx.args.flags.email, createdBy: "cli" });
        return { data: { org: org.slug, role, inviteId: invite.id, url: invite.url }, text: lines(`Invite to ${org.slug} as ${role} (one-time, 7 days):`, `  ${invite.url}`) };
      }
      const user = userFlag(ctx, deps);
      addMember(deps.db, org.id, user.id, role);
      recordOrgEvent(deps.db, { orgId: org.id, actorId: null, action: "member.added", targetType: "user", targetId: user.id, details: { role, via: "cli" } });
      return { data: { org: org.slug, userId: user.id, email: user.email, role }, text: `Added ${user.email} to ${org.slug} as ${role}.` };
    });
  },
};
