/** Organizations and their memberships (one role per member). */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, orgs, users, type Org, type Role } from "../db/schema";
import { ConflictError, ForbiddenError, NotFoundError, fromZod } from "../errors";
import { systemClock } from "../lib/clock";
import { newId } from "../lib/ids";
import { SlugSchema } from "./slugs";

export function parseSlug(value: string, field = "slug"): string {
  const parsed = SlugSchema.safeParse(value);
  if (!parsed.success) throw fromZod({ issues: parsed.error.issues.map((i) => ({ ...i, path: [field] })) });
  return parsed.data;
}

/** `now` comes from the caller's `deps.clock`; seeders that only hold a database fall back to the system clock. */
export function createOrg(db: Db, input: { slug: string; name?: string }, ownerId?: string, now = systemClock.now()): Org {
  const slug = parseSlug(input.slug);
  if (findOrg(db, slug)) throw new ConflictError(`An organization with the slug "${slug}" already exists.`);
  const org: Org = { id: newId("org"), slug, name: input.name?.trim() || slug, createdAt: now };
  db.transaction((tx) => {
    tx.insert(orgs).values(org).run();
    if (ownerId) tx.insert(memberships).values({ orgId: org.id, userId: ownerId, role: "owner", createdAt: org.createdAt }).run();
  });
  return org;
}

export function findOrg(db: Db, slug: string): Org | undefined {
  return db.select().from(orgs).where(eq(orgs.slug, slug)).get();
}

export function getOrg(db: Db, slug: string): Org {
  const org = findOrg(db, slug);
  if (!org) throw new NotFoundError(`No organization "${slug}".`);
  return org;
}

/** The user's role in the org, or null when they are not a member. */
export function roleOf(db: Db, orgId: string, userId: string): Role | null {
  const row = db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .get();
  return row?.role ?? null;
}

export function listMembers(db: Db, orgId: string) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(users.email))
    .all();
}

export function listOrgsOf(db: Db, userId: string) {
  return db
    .select({ org: orgs, role: memberships.role })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(orgs.slug))
    .all();
}

/** `now` as for `createOrg`. */
export function addMember(db: Db, orgId: string, userId: string, role: Role, now = systemClock.now()): void {
  if (roleOf(db, orgId, userId)) throw new ConflictError("That user is already a member of this organization.");
  db.insert(memberships).values({ orgId, userId, role, createdAt: now }).run();
}

function countOwners(db: Db, orgId: string): number {
  return db.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner"))).all().length;
}

/** Changes a role; the last owner cannot be demoted (an org always keeps one owner). */
export function setRole(db: Db, orgId: string, userId: string, role: Role): Role {
  const current = roleOf(db, orgId, userId);
  if (!current) throw new NotFoundError("That user is not a member of this organization.");
  if (current === "owner" && role !== "owner" && countOwners(db, orgId) === 1) {
    throw new ForbiddenError("An organization needs at least one owner; make someone else owner first.");
  }
  db.update(memberships).set({ role }).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))).run();
  return current;
}

/** Removes a member; callers also revoke the member's grants and API keys in the org. */
export function removeMember(db: Db, orgId: string, userId: string): Role {
  const current = roleOf(db, orgId, userId);
  if (!current) throw new NotFoundError("That user is not a member of this organization.");
  if (current === "owner" && countOwners(db, orgId) === 1) {
    throw new ForbiddenError("The last owner cannot be removed.");
  }
  db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))).run();
  return current;
}
