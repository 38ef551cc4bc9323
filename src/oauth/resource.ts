/**
 * RFC 8707 resource indicators. A resource is one project channel's MCP URL, compared byte for byte with
 * the URL Portico builds (`channelUrl`): never a prefix match (`/acme/shop` is a prefix of `/acme/shop/draft`).
 */
import type { Deps } from "../deps";
import type { Channel, Org, Project } from "../db/schema";
import { channelUrl, findProject } from "../projects/projects";

/** A project channel named by a resource indicator. */
export interface ResourceTarget {
  org: Org;
  project: Project;
  channel: Channel;
  /** The exact channel URL: the token audience. */
  url: string;
}

/** The project channel a resource URL names, or null when it names none exactly. */
export async function resolveResource(deps: Deps, resource: string): Promise<ResourceTarget | null> {
  const base = `${deps.config.publicUrl}/`;
  if (!resource.startsWith(base) || resource.length > 500) return null;
  const segments = resource.slice(base.length).split("/");
  const channel: Channel = segments.length === 3 && segments[2] === "draft" ? "draft" : "production";
  if (segments.length !== (channel === "draft" ? 3 : 2)) return null;
  const found = await findProject(deps.db, segments[0]!, segments[1]!);
  if (!found) return null;
  const url = channelUrl(deps.config.publicUrl, found.org.slug, found.project.slug, channel);
  return url === resource ? { ...found, channel, url } : null;
}

/**
 * True when `resource` is one of this issuer's URLs. Grants, codes and refresh tokens remember the audience
 * they were minted for; under another public URL (a restored backup served elsewhere, a changed domain) the
 * same data dir is another authorization server, and its credentials are not honoured (MCP 2026-07-28
 * Client Registration "Authorization Server Binding", SEP-2352).
 */
export function mintedByThisIssuer(deps: Pick<Deps, "config">, resource: string): boolean {
  return resource.startsWith(`${deps.config.publicUrl}/`);
}
