/** Users: creation with a hashed password, lookups, password changes (which end every session). */
import { rawGet, rawQuery } from "../db/raw";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type User } from "../db/schema";
import { ConflictError, NotFoundError, fromZod } from "../errors";
import { systemClock } from "../lib/clock";
import { newId } from "../lib/ids";
import { checkPasswordStrength, hashPassword } from "./passwords";
import { z } from "zod";
import { first } from "../db/query";

export const EmailSchema = z.email().max(254).transform((v) => v.trim().toLowerCase());

/** `now` comes from the caller's `deps.clock`; seeders that only hold a database fall back to the system clock. */
export async function createUser(db: Db, input: { email: string; name?: string; password: string }, now = systemClock.now()): Promise<User> {
  const { users } = db.t;
  const parsed = EmailSchema.safeParse(input.email);
  if (!parsed.success) throw fromZod({ issues: [{ path: ["email"], message: "enter a valid email address" }] });
  const email = parsed.data;
  checkPasswordStrength(input.password);
  if ((await findUserByEmail(db, email))) throw new ConflictError(`A user with the email ${email} already exists.`);
  const user: User = {
    id: newId("usr"),
    email,
    name: input.name?.trim() || email.split("@")[0]!,
    passwordHash: await hashPassword(input.password),
    createdAt: now,
    passwordChangedAt: now,
  };
  await db.insert(users).values(user);
  return user;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const { users } = db.t;
  return await first(db.select().from(users).where(eq(users.email, email.trim().toLowerCase())));
}

export async function getUser(db: Db, id: string): Promise<User> {
  const { users } = db.t;
  const user = await first(db.select().from(users).where(eq(users.id, id)));
  if (!user) throw new NotFoundError("No such user.");
  return user;
}

const COUNT_USERS = rawQuery<{ n: number }>(`SELECT count(*) AS "n" FROM users`, { numbers: ["n"] });

export async function countUsers(db: Db): Promise<number> {
  return (await rawGet(db, COUNT_USERS))!.n;
}

/** Sets a new password. Callers end the user's sessions (and so their grants) afterwards. */
export async function setPassword(db: Db, userId: string, password: string, now: number): Promise<void> {
  const { users } = db.t;
  checkPasswordStrength(password);
  const passwordHash = await hashPassword(password);
  await db.update(users).set({ passwordHash, passwordChangedAt: now }).where(eq(users.id, userId));
}
