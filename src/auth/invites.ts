/**
 * Invites: copyable one-time links (no mail server needed) that let someone join an organization with a
 * role — the only way, besides first-run setup, to sign up (docs/architecture.md: Organization). Only the token's
 * SHA-256 is stored; the link is shown once, when created. (bun:sqlite has one connection, so
 * `recordOrgEvent(db, …)` inside a `db.transaction` callback writes within that transaction.)
 */
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { recordOrgEvent } from "../audit/org-audit";
import type { Db } from "../db/client";
import { ROLES, type Org, type Role, type invites } from "../db/schema";
import { AppError, ConflictError, ForbiddenError, NotFoundError, fromZod } from "../errors";
import { sha256 } from "../lib/crypto";
import { systemClock, type Clock } from "../lib/clock";
import { newId, newToken } from "../lib/ids";
import { roleOf } from "../projects/orgs";
import { EmailSchema } from "./users";
import { first, transaction } from "../db/query";

/** @default 7 days */
export const DEFAULT_INVITE_TTL_HOURS = 7 * 24;

/** An invite that exists but can no longer be used (accepted, revoked or expired). */
export class InviteUnusableError extends AppError {
  override readonly status = 410;
  override readonly code = "invite_unusable";
}

/** Input of `createInvite`; `ttlHours` defaults to 7 days. */
export const CreateInviteSchema = z.object({
  orgId: z.string().min(1),
  role: z.enum(ROLES),
  /** When set, only a user with this email can accept. */
  email: EmailSchema.optional(),
  createdBy: z.string().min(1),
  ttlHours: z.number().int().min(1).max(90 * 24).default(DEFAULT_INVITE_TTL_HOURS),
});
export type CreateInviteInput = z.input<typeof CreateInviteSchema>;

type Invite = typeof invites.$inferSelect;
/** Where an invite stands; only `pending` can be accepted or revoked. */
export type InviteStatus = "pending" | "accepted" | "revoked" | "expired";

/** The status of an invite row at `now`. */
export function inviteStatus(invite: Pick<Invite, "acceptedAt" | "revokedAt" | "expiresAt">, now: number): InviteStatus {
  if (invite.acceptedAt !== null) return "accepted";
  if (invite.revokedAt !== null) return "revoked";
  return invite.expiresAt <= now ? "expired" : "pending";
}

/**
 * Creates an invite and returns its link; the token is never stored or logged. The org audit event is the
 * `members.invite` operation's (src/services/members.ts), recorded by its caller from what this returns.
 */
export async function createInvite(
  deps: { db: Db; clock: Clock; config: { publicUrl: string } },
  input: CreateInviteInput,
): Promise<{ id: string; url: string; token: string; role: Role; email: string | null; ttlHours: number }> {
  const { invites } = deps.db.t;
  const parsed = CreateInviteSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const { orgId, role, email, createdBy, ttlHours } = parsed.data;
  const token = newToken();
  const now = deps.clock.now();
  const id = newId("inv");
  await deps.db.insert(invites)
        .values({ id, orgId, tokenHash: sha256(token), role, email: email ?? null, createdBy, createdAt: now, expiresAt: now + ttlHours * 3600_000 });
  return { id, url: `${deps.config.publicUrl}/invite/${token}`, token, role, email: email ?? null, ttlHours };
}

/** An org's invites, newest first, with their status; pending only unless `all`. */
export async function listInvites(deps: { db: Db; clock: Clock }, orgId: string, opts: { all?: boolean } = {}) {
  const { invites, users } = deps.db.t;
  const { db } = deps;
  const now = deps.clock.now();
  const where = opts.all
    ? eq(invites.orgId, orgId)
    : and(eq(invites.orgId, orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now));
  return (await db
      .select({
        id: invites.id,
        role: invites.role,
        email: invites.email,
        createdBy: invites.createdBy,
        createdByEmail: users.email,
        createdAt: invites.createdAt,
        expiresAt: invites.expiresAt,
        acceptedAt: invites.acceptedAt,
        acceptedBy: invites.acceptedBy,
        revokedAt: invites.revokedAt,
      })
      .from(invites)
      .leftJoin(users, eq(users.id, invites.createdBy))
      .where(where)
      .orderBy(desc(invites.createdAt)))
    .map((i) => ({ ...i, status: inviteStatus(i, now) }));
}

/**
 * Revokes a pending invite of `orgId`; its link stops working at once. Returns the invite's role for the
 * `members.revoke-invite` operation's audit event (src/services/members.ts).
 */
export async function revokeInvite(deps: { db: Db; clock: Clock }, input: { orgId: string; inviteId: string }): Promise<{ role: Role }> {
  const { invites } = deps.db.t;
  const { db } = deps;
  const invite = await first(db.select().from(invites).where(and(eq(invites.id, input.inviteId), eq(invites.orgId, input.orgId))));
  if (!invite) throw new NotFoundError("No such invite in this organization.");
  const now = deps.clock.now();
  const status = inviteStatus(invite, now);
  if (status !== "pending") throw new InviteUnusableError(`This invite is already ${status}.`);
  await db.update(invites).set({ revokedAt: now }).where(eq(invites.id, invite.id));
  return { role: invite.role };
}

/**
 * Looks an invite link up (any status, as of `now`); null when the token is unknown. `now` comes from the caller's
 * `deps.clock`; a caller holding only a database falls back to the system clock.
 */
export async function findInvite(db: Db, token: string, now = systemClock.now()): Promise<{ invite: Invite; org: Org; status: InviteStatus } | null> {
  const { invites, orgs } = db.t;
  if (!token || token.length > 100) return null;
  const row = await first(db.select({ invite: invites, org: orgs }).from(invites).innerJoin(orgs, eq(orgs.id, invites.orgId)).where(eq(invites.tokenHash, sha256(token))));
  return row ? { ...row, status: inviteStatus(row.invite, now) } : null;
}

const UNUSABLE: Record<Exclude<InviteStatus, "pending">, string> = {
  accepted: "This invite link was already used. Ask an admin of the organization for a new one.",
  revoked: "This invite link was withdrawn. Ask an admin of the organization for a new one.",
  expired: "This invite link has expired. Ask an admin of the organization for a new one.",
};

/** Throws unless the invite can be used now by `email` (when the invite names one). */
export function assertInviteUsable(found: Awaited<ReturnType<typeof findInvite>>, email?: string): asserts found is NonNullable<Awaited<ReturnType<typeof findInvite>>> {
  if (!found) throw new NotFoundError("This invite link is not valid. Check that you copied all of it.");
  if (found.status !== "pending") throw new InviteUnusableError(UNUSABLE[found.status]);
  if (email !== undefined && found.invite.email && found.invite.email !== email.toLowerCase()) {
    throw new ForbiddenError(`This invite is for ${found.invite.email}. Sign in with that account.`);
  }
}

/**
 * Accepts an invite for a user: marks it used (exactly once, even under races) and adds the membership
 * with the invite's role, in one transaction. A current member is refused and the invite stays usable.
 * `now` as for `findInvite`.
 */
export async function acceptInvite(db: Db, input: { token: string; userId: string; email: string }, now = systemClock.now()): Promise<{ org: Org; role: Role }> {
  const found = await findInvite(db, input.token, now);
  assertInviteUsable(found, input.email);
  const { invite, org } = found;
  const existing = await roleOf(db, org.id, input.userId);
  if (existing) throw new ConflictError(`You are already a member of ${org.name} (as ${existing}).`);
  await transaction(db, async (tx) => {
        const { invites, memberships } = tx.t;
        const claimed = await tx
              .update(invites)
              .set({ acceptedAt: now, acceptedBy: input.userId })
              .where(and(eq(invites.id, invite.id), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)))
              .returning({ id: invites.id });
        if (claimed.length !== 1) throw new InviteUnusableError(UNUSABLE.accepted);
        await tx.insert(memberships).values({ orgId: org.id, userId: input.userId, role: invite.role, createdAt: now });
        await recordOrgEvent(db, { orgId: org.id, actorId: input.userId, action: "member.joined", targetType: "user", targetId: input.userId, details: { role: invite.role, inviteId: invite.id }, time: now });
      });
  return { org, role: invite.role };
}
