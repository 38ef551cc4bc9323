/**
 * What the sign-in page says when it interrupts an authorization (issue 16 #8): which app is connecting and
 * to which project, so the user knows why they are asked to sign in. Only the id of the stored request
 * travels through the login page (authorize.ts `resumeUrl`); everything shown is read from it here.
 */
import { eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { findAuthRequest } from "./authorize";
import { resolveResource } from "./resource";
import { first } from "../db/query";

/** The app and (when the request named one) the project and channel of a pending authorization. */
export interface PendingAuthorization {
  appName: string;
  /** DCR names are self-asserted (docs/architecture.md "OAuth"), so the page marks them unverified. */
  verified: boolean;
  project: { name: string; org: string; channel: "production" | "draft" } | null;
}

/** The pending authorization `returnTo` resumes, if it is one (`/oauth/authorize?request_id=…`). */
export async function pendingAuthorization(deps: Deps, returnTo: string | undefined): Promise<PendingAuthorization | null> {
  const { oauthClients } = deps.db.t;
  if (!returnTo?.startsWith("/oauth/authorize?")) return null;
  const id = new URLSearchParams(returnTo.slice(returnTo.indexOf("?") + 1)).get("request_id");
  const row = id ? (await findAuthRequest(deps, id)) : undefined;
  if (!row) return null;
  const client = await first(deps.db.select().from(oauthClients).where(eq(oauthClients.id, row.clientId)));
  if (!client) return null;
  const target = row.resource ? (await resolveResource(deps, row.resource)) : null;
  return {
    appName: client.name,
    verified: client.registration !== "dcr",
    project: target ? { name: target.project.name, org: target.org.name, channel: target.channel } : null,
  };
}
