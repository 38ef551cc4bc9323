/**
 * `portico member add`: give a user a role in an organization, or print an invite link for someone new. An
 * operator command (src/services/member-operator.ts): no member acts, so no role is checked.
 */
import { ROLES, type Role } from "../../domain";
import { getOrg } from "../../projects/orgs";
import { addMemberAsOperator, inviteAsOperator } from "../../services/member-operator";
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
    return withDeps(ctx, async (deps) => {
      const org = await getOrg(deps.db, flag(ctx, "org"));
      if (ctx.args.switches.invite) {
        const invite = await inviteAsOperator(deps, org, role, ctx.args.flags.email);
        return { data: { org: org.slug, role, inviteId: invite.id, url: invite.url }, text: lines(`Invite to ${org.slug} as ${role} (one-time, 7 days):`, `  ${invite.url}`) };
      }
      const user = await userFlag(ctx, deps);
      await addMemberAsOperator(deps, org, user, role);
      return { data: { org: org.slug, userId: user.id, email: user.email, role }, text: `Added ${user.email} to ${org.slug} as ${role}.` };
    });
  },
};
