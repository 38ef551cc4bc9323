/** `portico project create`: add a project to an organization and print its MCP URLs. */
import { recordOrgEvent } from "../../audit/org-audit";
import { getOrg } from "../../projects/orgs";
import { channelUrl, createProject } from "../../projects/projects";
import { flag, lines, withDeps, type Command } from "../command";

export const projectCreateCommand: Command = {
  spec: {
    name: "project create",
    summary: "create a project",
    flags: {
      org: { description: "organization slug", value: "ORG", required: true },
      slug: { description: "lowercase URL segment, e.g. shop", value: "SLUG", required: true },
      name: { description: "display name (default: the slug)", value: "NAME" },
      instructions: { description: "instructions sent to hosts on initialize", value: "TEXT" },
    },
  },
  async run(ctx) {
    return withDeps(ctx, async (deps) => {
      const org = await getOrg(deps.db, flag(ctx, "org"));
      const project = await createProject(deps.db, org.id, { slug: flag(ctx, "slug"), name: ctx.args.flags.name, instructions: ctx.args.flags.instructions }, deps.clock.now());
      await recordOrgEvent(deps.db, { orgId: org.id, actorId: null, action: "project.created", targetType: "project", targetId: project.id, projectId: project.id, details: { slug: project.slug, via: "cli" }, time: deps.clock.now() });
      const urls = {
        production: channelUrl(ctx.config.publicUrl, org.slug, project.slug, "production"),
        draft: channelUrl(ctx.config.publicUrl, org.slug, project.slug, "draft"),
      };
      return {
        data: { id: project.id, org: org.slug, slug: project.slug, name: project.name, urls },
        text: lines(`Created project ${org.slug}/${project.slug} (${project.id}).`, `  production: ${urls.production}`, `  draft:      ${urls.draft}`),
      };
    });
  },
};
