/**
 * What a connection doctor rule sees (docs/architecture.md: Connection doctor). Rules are small pure functions
 * over this: no storage, no clock of their own, so each one is tested alone (test/doctor/rules/).
 */
import type { DoctorEvent, Finding } from "../report";

/** One of the client's grants on this project, as far as the rules need it. */
export interface GrantFacts {
  id: string;
  channel: "production" | "draft";
  revokedAt: number | null;
  revokedReason: string | null;
  lastUsedAt: number | null;
  createdAt: number;
}

/** One client's events and state. */
export interface ClientContext {
  now: number;
  publicUrl: string;
  /** The MCP URLs of the project's channels (what the user should paste). */
  urls: { production: string; draft: string };
  clientId: string | null;
  /** The client's display name. */
  name: string;
  /** Newest first. */
  events: DoctorEvent[];
  grants: GrantFacts[];
  /** The project's refused calls no client could be named for (no token, or one that does not verify), newest first. */
  unauthenticated: DoctorEvent[];
}

/** The project's setup and every event of the project (any client, or none). */
export interface ProjectContext {
  now: number;
  publicUrl: string;
  urls: { production: string; draft: string };
  /** Newest first. */
  events: DoctorEvent[];
}

export type ClientRule = (ctx: ClientContext) => Finding | null;
export type ProjectRule = (ctx: ProjectContext) => Finding | null;

/** The newest event (events are newest first) matching `test`. */
export function newest(events: DoctorEvent[], test: (e: DoctorEvent) => boolean): DoctorEvent | undefined {
  return events.find(test);
}

/** "5 minutes", "2 hours", "3 days": how long ago, in words. */
export function ago(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}
