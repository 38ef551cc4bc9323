/**
 * The grant service (docs/architecture.md: Grant): one user's authorization of one client for one project channel, bound
 * to the session that approved it. Listing shows only live grants (not revoked, session live); revoking
 * sets `revokedAt`, tells open MCP streams (`grantRevoked`) and writes the org audit log.
 */
import { and, desc, eq, gt, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Deps } from "../deps";
import { type Grant } from "../db/schema";
import { recordOrgEvent } from "../audit/org-audit";
import { systemClock } from "../lib/clock";
import { newId } from "../lib/ids";
import { redirectHost } from "./redirect-uri";
import { first } from "../db/query";

export interface NewGrant {
  userId: string;
  orgId: string;
  projectId: string;
  channel: Grant["channel"];
  resource: string;
  clientId: string;
  scopes: string;
  sessionId: string;
  ip?: string | null;
  userAgent?: string | null;
}

/**
 * Creates a grant (at consent) and records it in the org audit log. `now` comes from the caller's `deps.clock`;
 * seeders that only hold a database fall back to the system clock.
 */
export async function createGrant(db: Db, input: NewGrant, now = systemClock.now()): Promise<Grant> {
  const { grants } = db.t;
  const grant: Grant = {
    id: newId("gnt"),
    ...input,
    ip: input.ip ?? null,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
    protocolVersion: null,
  };
  await db.insert(grants).values(grant);
  await recordOrgEvent(db, {
        orgId: grant.orgId,
        actorId: grant.userId,
        action: "grant.created",
        targetType: "grant",
        targetId: grant.id,
        projectId: grant.projectId,
        details: { clientId: grant.clientId, channel: grant.channel, scopes: grant.scopes },
        time: now,
      });
  return grant;
}

/** One grant by id, in any state. */
export async function getGrant(db: Db, id: string): Promise<Grant | undefined> {
  const { grants } = db.t;
  return await first(db.select().from(grants).where(eq(grants.id, id)));
}

export interface GrantFilter {
  orgId?: string;
  projectId?: string;
  userId?: string;
  sessionId?: string;
}

async function query(db: Db, filter: GrantFilter, liveSince: number | null) {
  const { grants, oauthClients, projects, sessions } = db.t;
  const conditions: SQL[] = [isNull(grants.revokedAt), isNull(sessions.endedAt)];
  if (liveSince !== null) conditions.push(gt(sessions.lastSeenAt, liveSince));
  if (filter.orgId) conditions.push(eq(grants.orgId, filter.orgId));
  if (filter.projectId) conditions.push(eq(grants.projectId, filter.projectId));
  if (filter.userId) conditions.push(eq(grants.userId, filter.userId));
  if (filter.sessionId) conditions.push(eq(grants.sessionId, filter.sessionId));
  const rows = await db
      .select({
        grant: grants,
        projectName: projects.name,
        clientName: oauthClients.name,
        registration: oauthClients.registration,
        redirectUris: oauthClients.redirectUris,
      })
      .from(grants)
      .innerJoin(sessions, eq(sessions.id, grants.sessionId))
      .innerJoin(projects, eq(projects.id, grants.projectId))
      .leftJoin(oauthClients, eq(oauthClients.id, grants.clientId))
      .where(and(...conditions))
      .orderBy(desc(grants.createdAt));
  return rows.map((r) => ({
    ...r.grant,
    projectName: r.projectName,
    clientName: r.clientName ?? "Removed app",
    /** "dcr" names are self-asserted: show them as unverified. */
    registration: r.registration ?? "dcr",
    redirectHost: r.redirectUris?.[0] ? redirectHost(r.redirectUris[0]) : null,
  }));
}

export type GrantListItem = Awaited<ReturnType<typeof query>>[number];

/** Live grants (not revoked, approving session live) by org, project, user and/or session; newest first. */
export async function listGrants(deps: Pick<Deps, "db" | "config" | "clock">, filter: GrantFilter): Promise<GrantListItem[]> {
  return await query(deps.db, filter, deps.clock.now() - deps.config.sessionIdleTtl * 1000);
}

/** The grants a session's sign-out disconnects (the sign-out page lists them). */
export async function listGrantsBySession(db: Db, sessionId: string): Promise<GrantListItem[]> {
  return await query(db, { sessionId }, null);
}

/**
 * Revokes a grant: every token of it stops working on the very next request. Idempotent; returns false
 * when it was already revoked or does not exist.
 */
export async function revokeGrant(deps: Pick<Deps, "db" | "bus" | "clock">, grantId: string, opts: { actorId: string | null; reason: string }): Promise<boolean> {
  const { grants } = deps.db.t;
  const now = deps.clock.now();
  const revoked = await first(deps.db
      .update(grants)
      .set({ revokedAt: now, revokedReason: opts.reason.slice(0, 200) })
      .where(and(eq(grants.id, grantId), isNull(grants.revokedAt)))
      .returning());
  if (!revoked) return false;
  await recordOrgEvent(deps.db, {
        orgId: revoked.orgId,
        actorId: opts.actorId,
        action: "grant.revoked",
        targetType: "grant",
        targetId: revoked.id,
        projectId: revoked.projectId,
        details: { reason: opts.reason, clientId: revoked.clientId, userId: revoked.userId },
        time: now,
      });
  deps.bus.emit("grantRevoked", { grantId });
  return true;
}

/** Revokes every live grant of a user in an org (they left it, or were removed). Returns how many. */
export async function revokeUserGrantsInOrg(
  deps: Pick<Deps, "db" | "bus" | "clock">,
  orgId: string,
  userId: string,
  actor: { actorId: string | null; reason?: string },
): Promise<number> {
  const { grants } = deps.db.t;
  const ids = await deps.db
      .select({ id: grants.id })
      .from(grants)
      .where(and(eq(grants.orgId, orgId), eq(grants.userId, userId), isNull(grants.revokedAt)));
  let count = 0;
  for (const { id } of ids) if ((await revokeGrant(deps, id, { actorId: actor.actorId, reason: actor.reason ?? "member removed" }))) count++;
  return count;
}

