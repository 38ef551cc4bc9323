/**
 * Open notification streams (2025 GET streams, 2026 subscriptions/listen) end when their credential is
 * revoked. A revocation in this process reaches them through the event bus at once; one made elsewhere
 * (the CLI on the same data dir, later another instance) only shows in the change feed. On such a change
 * the credentials the streams hold are looked up once, in one query per kind, and streams whose grant,
 * API key or approving sign-in session is gone end (docs/architecture.md, "Change feed"); so do anonymous
 * streams of a project no longer public, and (checked by the role watchers) streams of a member whose role
 * no longer reads the channel.
 */
import type { Db } from "../db/client";
import { liveApiKeys, liveGrants, liveSessions, publicProjects } from "../auth/credential-liveness";
import { allowedScopes } from "../auth/scopes";
import type { Channel, Role } from "../db/schema";

/** Whether a role still reads this channel (project:read, and draft on the draft channel): what holding a stream needs. */
export function mayListen(role: Role, channel: Channel): boolean {
  const scopes = allowedScopes(role, channel);
  return scopes.includes("project:read") && (channel !== "draft" || scopes.includes("draft"));
}

/** The credential a stream was opened with (all ids null: an anonymous caller of a public project). */
export interface HeldCredential {
  grantId: string | null;
  apiKeyId: string | null;
  loginSessionId: string | null;
  userId: string | null;
  projectId: string;
}

/** Something holding streams, each opened with a credential. */
export interface StreamHolder {
  heldCredentials(): HeldCredential[];
  endHeld(dead: (c: HeldCredential) => boolean): void;
}

const anonymous = (c: HeldCredential) => c.grantId === null && c.apiKeyId === null && c.userId === null;

/**
 * Ends anonymous streams of projects that are no longer public: an anonymous caller holds no credential to
 * revoke, its access is the project's visibility (re-checked when a project changes).
 */
export async function endClosedToAnonymous(db: Db, holders: StreamHolder[]): Promise<void> {
  const projects = new Set(holders.flatMap((h) => h.heldCredentials()).filter(anonymous).map((c) => c.projectId));
  if (projects.size === 0) return;
  const open = await publicProjects(db, projects);
  for (const h of holders) h.endHeld((c) => anonymous(c) && !open.has(c.projectId));
}

/** Ends every held stream whose credential no longer stands (revoked, ended, or an expired API key at `now`). */
export async function endRevokedStreams(db: Db, holders: StreamHolder[], now: number): Promise<void> {
  const held = holders.flatMap((h) => h.heldCredentials());
  if (held.length === 0) return;
  const ids = (pick: (c: HeldCredential) => string | null) => new Set(held.map(pick).filter((x): x is string => x !== null));
  const grants = await liveGrants(db, ids((c) => c.grantId));
  const keys = await liveApiKeys(db, ids((c) => c.apiKeyId), now);
  const sessions = await liveSessions(db, ids((c) => c.loginSessionId));
  const dead = (c: HeldCredential) =>
    (c.grantId !== null && !grants.has(c.grantId)) || (c.apiKeyId !== null && !keys.has(c.apiKeyId)) || (c.loginSessionId !== null && !sessions.has(c.loginSessionId));
  for (const h of holders) h.endHeld(dead);
}
