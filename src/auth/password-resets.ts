/**
 * Password reset links (docs/architecture.md: Operations — "user reset-password and admin reset links, no mail server
 * needed"). A link is one-time and short-lived; only its token's SHA-256 is stored. Using it sets the
 * new password and ends every session of the user, and with them the grants those sessions approved.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { type User } from "../db/schema";
import { NotFoundError } from "../errors";
import { sha256 } from "../lib/crypto";
import { systemClock, type Clock } from "../lib/clock";
import { newToken } from "../lib/ids";
import { checkPasswordStrength } from "./passwords";
import { endAllSessions, type SessionDeps } from "./sessions";
import { setPassword } from "./users";
import { first, transaction } from "../db/query";

/** @default 24 hours */
export const DEFAULT_RESET_TTL_HOURS = 24;

const INVALID = "This password reset link is not valid any more (used, expired or replaced). Ask an admin for a new one.";

/** Creates a reset link for a user; earlier unused links of that user stop working. */
export async function createPasswordReset(
  deps: { db: Db; clock: Clock; config: { publicUrl: string } },
  input: { userId: string; createdBy?: string | null; ttlHours?: number },
): Promise<{ url: string; token: string; expiresAt: number }> {
  const token = newToken();
  const now = deps.clock.now();
  const expiresAt = now + (input.ttlHours ?? DEFAULT_RESET_TTL_HOURS) * 3600_000;
  await transaction(deps.db, async (tx) => {
        const { passwordResets } = tx.t;
        await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, input.userId), isNull(passwordResets.usedAt)));
        await tx.insert(passwordResets).values({ tokenHash: sha256(token), userId: input.userId, createdBy: input.createdBy ?? null, createdAt: now, expiresAt });
      });
  return { url: `${deps.config.publicUrl}/reset/${token}`, token, expiresAt };
}

/**
 * The user a live reset link belongs to; throws NotFoundError for an unknown, used or expired link. `now` comes
 * from the caller's `deps.clock`; a caller holding only a database falls back to the system clock.
 */
export async function findResetUser(db: Db, token: string, now = systemClock.now()): Promise<User> {
  const { passwordResets, users } = db.t;
  const row = token.length <= 100
    ? (await first(db
              .select({ user: users })
              .from(passwordResets)
              .innerJoin(users, eq(users.id, passwordResets.userId))
              .where(and(eq(passwordResets.tokenHash, sha256(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))))
    : undefined;
  if (!row) throw new NotFoundError(INVALID);
  return row.user;
}

/** Uses a reset link: sets the password, marks the link used and ends all the user's sessions. */
export async function usePasswordReset(deps: SessionDeps, token: string, password: string): Promise<User> {
  const { passwordResets } = deps.db.t;
  const now = deps.clock.now();
  const user = await findResetUser(deps.db, token, now);
  checkPasswordStrength(password);
  const claimed = await deps.db
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.tokenHash, sha256(token)), isNull(passwordResets.usedAt)))
      .returning({ used: passwordResets.usedAt });
  // A conditional claim: exactly one caller wins a token, on either engine (the returned rows say who).
  if (claimed.length !== 1) throw new NotFoundError(INVALID);
  await setPassword(deps.db, user.id, password, now);
  await endAllSessions(deps, user.id, "password reset");
  return user;
}
