/**
 * Who may consent to what (docs/architecture.md: Roles and scopes): non-members and roles too low for the channel get a
 * refusal in words, never a consent page; otherwise granted = requested ∩ allowed by the role, without the
 * management scopes where the project does not offer management tools on that channel (issue 16 #3).
 */
import type { Deps } from "../deps";
import { CHANNELS, type Channel, type Project } from "../db/schema";
import { listDraftTools } from "../projects/draft";
import { getVersion } from "../projects/publish";
import { channelMinRole, grantableScopes, grantedScopes, managementOn, parseScopes, roleAtLeast, type Scope } from "../auth/scopes";
import { listOrgsOf, roleOf } from "../projects/orgs";
import { channelUrl, listProjects } from "../projects/projects";
import type { ConsentChoice } from "./consent-page";
import type { ResourceTarget } from "./resource";

/** Either the choices the user may approve, or why they may not. */
export type ConsentDecision = { choices: ConsentChoice[] } | { refusal: string };

/** The extra scopes the channel's own tools declare (the live version on production, the working copy on draft). */
async function toolScopes(deps: Deps, project: Project, channel: Channel): Promise<Scope[]> {
  const live = channel === "draft" ? (await listDraftTools(deps, project.id)) : project.productionVersionId ? ((await getVersion(deps, project.productionVersionId))?.snapshot.tools ?? []) : [];
  return live.flatMap((t) => (t.scope ? [t.scope] : []));
}

async function choiceFor(deps: Deps, userId: string, target: ResourceTarget, scope: string | null): Promise<ConsentDecision> {
  const role = await roleOf(deps.db, target.org.id, userId);
  const name = `${target.org.slug}/${target.project.slug}`;
  if (!role) {
    return { refusal: `You are not a member of the organization that owns ${name}. Ask one of its admins for an invite, or sign in with another account.` };
  }
  const min = channelMinRole(target.channel);
  if (!roleAtLeast(role, min)) {
    return { refusal: `The ${target.channel} channel of ${name} needs the ${min} role or above; your role is ${role}.` };
  }
  const scopes = grantableScopes(
    grantedScopes(role, target.channel, parseScopes(scope)), target.project.managementTools, target.channel, await toolScopes(deps, target.project, target.channel),
  );
  if (scopes.length === 0) return { refusal: `Your role (${role}) allows none of the permissions this app asked for on ${name}.` };
  return { choices: [{ target, role, scopes, management: managementOn(target.project.managementTools, target.channel) }] };
}

/** What the user may approve: for the named resource, or (none named) every channel their roles reach. */
export async function consentChoices(deps: Deps, userId: string, target: ResourceTarget | null, scope: string | null): Promise<ConsentDecision> {
  if (target) return choiceFor(deps, userId, target, scope);
  const choices: ConsentChoice[] = [];
  for (const { org } of (await listOrgsOf(deps.db, userId))) {
    for (const project of (await listProjects(deps.db, org.id))) {
      for (const channel of CHANNELS) {
        const url = channelUrl(deps.config.publicUrl, org.slug, project.slug, channel);
        const decision = await choiceFor(deps, userId, { org, project, channel, url }, scope);
        if ("choices" in decision) choices.push(...decision.choices);
      }
    }
  }
  return choices.length > 0 ? { choices } : { refusal: "You have no project this app could connect to. Ask an admin to add you to one." };
}
