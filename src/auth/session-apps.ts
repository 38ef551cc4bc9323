/**
 * The connected apps a sign-in session approved: its live grants, named by client and project, so the
 * sign-out page can say which apps signing out disconnects (DESIGN: Grant — bound to its session).
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { grants, oauthClients, orgs, projects } from "../db/schema";

export interface SessionApp {
  grantId: string;
  clientName: string;
  orgSlug: string;
  projectSlug: string;
  channel: "production" | "draft";
}

export function listSessionApps(db: Db, sessionId: string): SessionApp[] {
  return db
    .select({
      grantId: grants.id,
      clientName: oauthClients.name,
      orgSlug: orgs.slug,
      projectSlug: projects.slug,
      channel: grants.channel,
    })
    .from(grants)
    .innerJoin(projects, eq(projects.id, grants.projectId))
    .innerJoin(orgs, eq(orgs.id, grants.orgId))
    .leftJoin(oauthClients, eq(oauthClients.id, grants.clientId))
    .where(and(eq(grants.sessionId, sessionId), isNull(grants.revokedAt)))
    .all()
    .map((r) => ({ ...r, clientName: r.clientName ?? "An app that is no longer registered" }));
}
