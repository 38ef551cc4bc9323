/**
 * Cookie sign-in sessions. Grants are bound to the session that approved them (docs/architecture.md: Grant), so ending
 * a session — sign-out, sign-out everywhere, password change, admin revocation, idle expiry — ends its
 * grants too: the per-request grant check reads the session row.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Session, type User } from "../db/schema";
import type { Clock } from "../lib/clock";
import type { EventBus } from "../lib/events";
import { sha256 } from "../lib/crypto";
import { newId, newToken } from "../lib/ids";
import { first } from "../db/query";

/** lastSeenAt is written at most this often, so every request does not turn into a write. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  config: { sessionIdleTtl: number };
}

export async function createSession(
  deps: SessionDeps,
  userId: string,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<{ token: string; session: Session }> {
  const { sessions } = deps.db.t;
  const token = newToken();
  const now = deps.clock.now();
  const session: Session = {
    id: newId("ses"),
    tokenHash: sha256(token),
    userId,
    csrfSecret: newToken(),
    createdAt: now,
    lastSeenAt: now,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    endedAt: null,
    endedReason: null,
  };
  await deps.db.insert(sessions).values(session);
  return { token, session };
}

/** True while the session has not ended and has been used within the idle window. */
export function isSessionLive(session: Pick<Session, "endedAt" | "lastSeenAt">, idleTtlSeconds: number, now: number): boolean {
  return session.endedAt === null && now - session.lastSeenAt < idleTtlSeconds * 1000;
}

/** Marks the session as used (throttled); keeps it, and the grants it approved, from idle expiry. */
export async function touchSession(deps: SessionDeps, session: Pick<Session, "id" | "lastSeenAt">, now: number): Promise<void> {
  const { sessions } = deps.db.t;
  if (now - session.lastSeenAt < TOUCH_INTERVAL_MS) return;
  await deps.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.id));
}

/** Resolves a session cookie value to a live session and its user, or null. */
export async function resolveSession(deps: SessionDeps, token: string | undefined): Promise<{ session: Session; user: User } | null> {
  const { sessions, users } = deps.db.t;
  if (!token || token.length > 200) return null;
  const row = await first(deps.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, sha256(token))));
  const now = deps.clock.now();
  if (!row || !isSessionLive(row.session, deps.config.sessionIdleTtl, now)) return null;
  await touchSession(deps, row.session, now);
  return row;
}

export async function endSession(deps: SessionDeps, sessionId: string, reason: string): Promise<void> {
  const { sessions } = deps.db.t;
  await deps.db
        .update(sessions)
        .set({ endedAt: deps.clock.now(), endedReason: reason })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt)));
  deps.bus.emit("sessionEnded", { sessionId });
}

/** Ends every live session of a user (sign out everywhere, password change); returns how many ended. */
export async function endAllSessions(deps: SessionDeps, userId: string, reason: string): Promise<number> {
  const { sessions } = deps.db.t;
  const live = await deps.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.endedAt)));
  for (const s of live) await endSession(deps, s.id, reason);
  return live.length;
}

export async function listSessions(db: Db, userId: string): Promise<Session[]> {
  const { sessions } = db.t;
  return await db.select().from(sessions).where(and(eq(sessions.userId, userId), isNull(sessions.endedAt)));
}
