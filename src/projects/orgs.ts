/** Organizations and their memberships (one role per member). */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Org, type Role } from "../db/schema";
import { ConflictError, ForbiddenError, NotFoundError, fromZod } from "../errors";
import { systemClock } from "../lib/clock";
import { newId } from "../lib/ids";
import { SlugSchema } from "./slugs";
import { first, transaction } from "../db/query";

export function parseSlug(value: string, field = "slug"): string {
  const parsed = SlugSchema.safeParse(value);
  if (!parsed.success) throw fromZod({ issues: parsed.error.issues.map((i) => ({ ...i, path: [field] })) });
  return parsed.data;
}

/** `now` comes from the caller's `deps.clock`; seeders that only hold a database fall back to the system clock. */
export async function createOrg(db: Db, input: { slug: string; name?: string }, ownerId?: string, now = systemClock.now()): Promise<Org> {
  const slug = parseSlug(input.slug);
  if ((await findOrg(db, slug))) throw new ConflictError(`An organization with the slug "${slug}" already exists.`);
  const org: Org = { id: newId("org"), slug, name: input.name?.trim() || slug, createdAt: now };
  await transaction(db, async (tx) => {
        const { memberships, orgs } = tx.t;
        await tx.insert(orgs).values(org);
        if (ownerId) await tx.insert(memberships).values({ orgId: org.id, userId: ownerId, role: "owner", createdAt: org.createdAt });
      });
  return org;
}

export async function findOrg(db: Db, slug: string): Promise<Org | undefined> {
  const { orgs } = db.t;
  return await first(db.select().from(orgs).where(eq(orgs.slug, slug)));
}

export async function getOrg(db: Db, slug: string): Promise<Org> {
  const org = await findOrg(db, slug);
  if (!org) throw new NotFoundError(`No organization "${slug}".`);
  return org;
}

/** The user's role in the org, or null when they are not a member. */
export async function roleOf(db: Db, orgId: string, userId: string): Promise<Role | null> {
  const { memberships } = db.t;
  const row = await first(db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))));
  return row?.role ?? null;
}

export async function listMembers(db: Db, orgId: string) {
  const { memberships, users } = db.t;
  return await db
      .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, orgId))
      .orderBy(asc(users.email));
}

export async function listOrgsOf(db: Db, userId: string) {
  const { memberships, orgs } = db.t;
  return await db
      .select({ org: orgs, role: memberships.role })
      .from(memberships)
      .innerJoin(orgs, eq(orgs.id, memberships.orgId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(orgs.slug));
}

/** `now` as for `createOrg`. */
export async function addMember(db: Db, orgId: string, userId: string, role: Role, now = systemClock.now()): Promise<void> {
  const { memberships } = db.t;
  if ((await roleOf(db, orgId, userId))) throw new ConflictError("That user is already a member of this organization.");
  await db.insert(memberships).values({ orgId, userId, role, createdAt: now });
}

async function countOwners(db: Db, orgId: string): Promise<number> {
  const { memberships } = db.t;
  return (await db.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))).length;
}

/** Changes a role; the last owner cannot be demoted (an org always keeps one owner). */
export async function setRole(db: Db, orgId: string, userId: string, role: Role): Promise<Role> {
  const { memberships } = db.t;
  const current = await roleOf(db, orgId, userId);
  if (!current) throw new NotFoundError("That user is not a member of this organization.");
  if (current === "owner" && role !== "owner" && (await countOwners(db, orgId)) === 1) {
    throw new ForbiddenError("An organization needs at least one owner; make someone else owner first.");
  }
  await db.update(memberships).set({ role }).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return current;
}

/** Removes a member; callers also revoke the member's grants and API keys in the org. */
export async function removeMember(db: Db, orgId: string, userId: string): Promise<Role> {
  const { memberships } = db.t;
  const current = await roleOf(db, orgId, userId);
  if (!current) throw new NotFoundError("That user is not a member of this organization.");
  if (current === "owner" && (await countOwners(db, orgId)) === 1) {
    throw new ForbiddenError("The last owner cannot be removed.");
  }
  await db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return current;
}
