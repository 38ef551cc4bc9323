/** Projects: creation, lookup by `org/slug`, settings. */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Org, type Project } from "../db/schema";
import { ConflictError, NotFoundError } from "../errors";
import { systemClock } from "../lib/clock";
import { newId } from "../lib/ids";
import { parseSlug } from "./orgs";
import { first } from "../db/query";

/** `now` comes from the caller's `deps.clock`; seeders that only hold a database fall back to the system clock. */
export async function createProject(db: Db, orgId: string, input: { slug: string; name?: string; instructions?: string }, now = systemClock.now()): Promise<Project> {
  const { projects } = db.t;
  const slug = parseSlug(input.slug);
  if ((await first(db.select().from(projects).where(and(eq(projects.orgId, orgId), eq(projects.slug, slug)))))) {
    throw new ConflictError(`A project with the slug "${slug}" already exists in this organization.`);
  }
  const project: Project = {
    id: newId("prj"),
    orgId,
    slug,
    name: input.name?.trim() || slug,
    instructions: input.instructions ?? "",
    visibility: "private",
    productionVersionId: null,
    storePayloads: true,
    auditRetentionDays: 90,
    managementTools: "draft",
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(projects).values(project);
  return project;
}

/** Looks a project up by its URL segments; null when either is unknown. */
export async function findProject(db: Db, orgSlug: string, projectSlug: string): Promise<{ org: Org; project: Project } | null> {
  const { orgs, projects } = db.t;
  const row = await first(db
      .select({ org: orgs, project: projects })
      .from(projects)
      .innerJoin(orgs, eq(orgs.id, projects.orgId))
      .where(and(eq(orgs.slug, orgSlug), eq(projects.slug, projectSlug))));
  return row ?? null;
}

export async function getProject(db: Db, orgSlug: string, projectSlug: string): Promise<{ org: Org; project: Project }> {
  const found = await findProject(db, orgSlug, projectSlug);
  if (!found) throw new NotFoundError(`No project "${orgSlug}/${projectSlug}".`);
  return found;
}

export async function getProjectById(db: Db, id: string): Promise<Project> {
  const { projects } = db.t;
  const project = await first(db.select().from(projects).where(eq(projects.id, id)));
  if (!project) throw new NotFoundError("No such project.");
  return project;
}

export async function listProjects(db: Db, orgId: string): Promise<Project[]> {
  const { projects } = db.t;
  return await db.select().from(projects).where(eq(projects.orgId, orgId)).orderBy(asc(projects.slug));
}

export type ProjectSettings = Partial<
  Pick<Project, "name" | "instructions" | "visibility" | "storePayloads" | "auditRetentionDays" | "managementTools">
>;

/** `now` as for `createProject`. */
export async function updateProject(db: Db, id: string, patch: ProjectSettings, now = systemClock.now()): Promise<Project> {
  const { projects } = db.t;
  await db.update(projects).set({ ...patch, updatedAt: now }).where(eq(projects.id, id));
  return getProjectById(db, id);
}

/** The MCP URL of a project channel, built only from the public URL (docs/architecture.md: URLs). */
export function channelUrl(publicUrl: string, orgSlug: string, projectSlug: string, channel: "production" | "draft"): string {
  return `${publicUrl}/${orgSlug}/${projectSlug}${channel === "draft" ? "/draft" : ""}`;
}
