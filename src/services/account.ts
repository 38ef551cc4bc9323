/**
 * The signed-in person's own profile (the account face). Like the user's own grants (services/grants.ts),
 * these belong to a person, not to an org role, so they are plain functions rather than org operations.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps";
import type { User } from "../db/schema";
import { getUser } from "../auth/users";
import { parseInput } from "./input";

/** A display name: what others see beside the email (members, audit actor), 1–100 characters once trimmed. */
export const DisplayNameSchema = z.object({
  name: z.string().trim().min(1, "enter a name").max(100, "must be at most 100 characters"),
});

/** Changes the user's own display name; returns the updated user. */
export async function renameSelf(deps: Deps, userId: string, input: unknown): Promise<User> {
  const { name } = parseInput(DisplayNameSchema, input);
  const { users } = deps.db.t;
  await deps.db.update(users).set({ name }).where(eq(users.id, userId));
  return await getUser(deps.db, userId);
}
