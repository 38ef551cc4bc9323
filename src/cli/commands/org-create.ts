/** `portico org create`: add an organization, optionally with an owner. */
import { recordOrgEvent } from "../../audit/org-audit";
import { createOrg } from "../../projects/orgs";
import { flag, lines, userFlag, withDeps, type Command } from "../command";

export const orgCreateCommand: Command = {
  spec: {
    name: "org create",
    summary: "create an organization",
    flags: {
      slug: { description: "lowercase URL segment, e.g. acme (first part of project URLs)", value: "SLUG", required: true },
      name: { description: "display name (default: the slug)", value: "NAME" },
      owner: { description: "email of an existing user who becomes its owner", value: "EMAIL" },
    },
  },
  async run(ctx) {
    return withDeps(ctx, async (deps) => {
      const owner = ctx.args.flags.owner ? (await userFlag(ctx, deps, "owner")) : undefined;
      const org = await createOrg(deps.db, { slug: flag(ctx, "slug"), name: ctx.args.flags.name }, owner?.id, deps.clock.now());
      await recordOrgEvent(deps.db, { orgId: org.id, actorId: null, action: "org.created", targetType: "org", targetId: org.id, details: { via: "cli", owner: owner?.email ?? null }, time: deps.clock.now() });
      return {
        data: { id: org.id, slug: org.slug, name: org.name, owner: owner?.email ?? null },
        text: lines(`Created organization ${org.slug} (${org.id}).`, owner ? `Owner: ${owner.email}` : "No owner yet: add one with portico member add --role owner."),
      };
    });
  },
};
