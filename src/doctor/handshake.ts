/**
 * Connection doctor: one place where every OAuth/MCP handshake step is recorded (docs/architecture.md: Connection doctor),
 * so "Claude says authorization failed" can be diagnosed from the Server page without logs. Rows carry
 * ids, step names and outcomes only — never a token, code, secret or redirect query.
 */
import { and, desc, eq, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { systemClock } from "../lib/clock";
import { first } from "../db/query";

/** The steps a client walks through; `mcp` is the first authenticated MCP call. */
export const HANDSHAKE_STEPS = [
  "resource_metadata",
  "registration",
  "client_metadata",
  "authorize",
  "consent",
  "token",
  "refresh",
  "revoke",
  "mcp",
] as const;
export type HandshakeStep = (typeof HANDSHAKE_STEPS)[number];

export interface HandshakeInput {
  projectId?: string | null;
  clientId?: string | null;
  step: HandshakeStep;
  outcome: "ok" | "fail";
  /** Plain words, e.g. "PKCE verifier did not match"; never a credential. */
  reason?: string | null;
  /** On `mcp` steps: the MCP revision the request named (`MCP-Protocol-Version`), when it named one. */
  protocolVersion?: string | null;
}

/** Rows kept in all; older ones are dropped as new ones arrive (steps before sign-in are unauthenticated). */
const KEEP_ROWS = 50_000;
const LIST_MAX = 500;

/**
 * Records one handshake step. Cheap enough for every metadata fetch. `now` comes from the caller's `deps.clock`;
 * a caller holding only a database falls back to the system clock.
 */
export async function recordHandshake(db: Db, event: HandshakeInput, now = systemClock.now()): Promise<void> {
  const { handshakeEvents } = db.t;
  const row = await first(db
      .insert(handshakeEvents)
      .values({
        time: now,
        projectId: event.projectId ?? null,
        clientId: event.clientId?.slice(0, 300) ?? null,
        step: event.step,
        outcome: event.outcome,
        reason: event.reason?.slice(0, 300) ?? null,
        protocolVersion: event.protocolVersion?.slice(0, 20) ?? null,
      })
      .returning({ id: handshakeEvents.id }));
  // Trim every 1000th row instead of on each insert: bounded size at no per-request cost.
  if (row && row.id % 1000 === 0) await trimHandshakes(db, KEEP_ROWS);
}

/** Keeps only the newest `keep` rows. */
export async function trimHandshakes(db: Db, keep: number): Promise<void> {
  const { handshakeEvents } = db.t;
  await db.delete(handshakeEvents)
        .where(lt(handshakeEvents.id, sql`(SELECT max(${handshakeEvents.id}) FROM ${handshakeEvents}) - ${keep} + 1`));
}

/**
 * A project's recent handshake steps, newest first. Registration and client-metadata steps happen before
 * the client names a project, so they are included for every client that later reached this project.
 */
export async function listHandshakes(db: Db, projectId: string, limit = 100) {
  const { handshakeEvents } = db.t;
  const clientsOfProject = db
    .selectDistinct({ clientId: handshakeEvents.clientId })
    .from(handshakeEvents)
    .where(and(eq(handshakeEvents.projectId, projectId), isNotNull(handshakeEvents.clientId)));
  return await db
      .select()
      .from(handshakeEvents)
      .where(
        or(
          eq(handshakeEvents.projectId, projectId),
          and(isNull(handshakeEvents.projectId), inArray(handshakeEvents.clientId, clientsOfProject)),
        ),
      )
      .orderBy(desc(handshakeEvents.id))
      .limit(Math.min(limit, LIST_MAX));
}
