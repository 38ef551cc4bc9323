/**
 * Connection doctor: one place where every OAuth/MCP handshake step is recorded (docs/architecture.md: Connection doctor),
 * so "Claude says authorization failed" can be diagnosed from the Server page without logs. Rows carry
 * ids, step names, outcomes and credential-free details only — never a token, code, secret, password or
 * redirect query (test/doctor/no-credentials.test.ts scans every stored row for the ones a flow used).
 *
 * Bounds (cheap: checked every PRUNE_EVERY inserts, never per insert): the newest RING_PER_CLIENT rows per
 * client id, the newest RING_PER_CLIENT client-less rows per project, nothing older than MAX_AGE_MS, and
 * KEEP_ROWS rows in all.
 */
import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { systemClock } from "../lib/clock";
import { first } from "../db/query";
import { SELF_CHECK_USER_AGENT } from "./self-check";

/**
 * The steps a client walks through. `mcp` is an authenticated MCP call (the first, the first in a new
 * revision, or a refused one); `metadata_miss` a well-known document asked for at a path Portico does not serve.
 */
export const HANDSHAKE_STEPS = [
  "resource_metadata",
  "as_metadata",
  "metadata_miss",
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

/**
 * Credential-free key/values of a step. Conventional keys: `path` (path asked for, never a query), `channel`,
 * `status` (HTTP), `seen` (scheme://host the request arrived with), `metadataUrl` + `fetch` (CIMD), `error`
 * (OAuth error code), `reuse` (`grace` | `after_grace`), `grant` (grant id prefix), `revision`, `ms`, `why`.
 */
export type HandshakeDetail = Record<string, string | number | boolean | null>;

export interface HandshakeInput {
  projectId?: string | null;
  clientId?: string | null;
  step: HandshakeStep;
  outcome: "ok" | "fail";
  /** Plain words, e.g. "PKCE verifier did not match"; never a credential. */
  reason?: string | null;
  /** On `mcp` steps: the MCP revision the request named (`MCP-Protocol-Version`), when it named one. */
  protocolVersion?: string | null;
  detail?: HandshakeDetail | null;
}

/** Newest rows kept per client id (and, for client-less rows, per project). */
export const RING_PER_CLIENT = 200;
/** Rows older than this are dropped. */
export const MAX_AGE_MS = 14 * 24 * 3600 * 1000;
/** Rows kept in all: client-less steps of no project must not grow without bound either. */
const KEEP_ROWS = 50_000;
/** Pruning runs when a new row's id is a multiple of this. */
const PRUNE_EVERY = 256;
const LIST_MAX = 2000;
const DETAIL_KEYS_MAX = 16;
const DETAIL_VALUE_MAX = 200;

/** Bounded copy of a detail: at most 16 keys, strings cut to 200 characters. */
function boundedDetail(detail: HandshakeDetail | null | undefined): HandshakeDetail | null {
  if (!detail) return null;
  const out: HandshakeDetail = {};
  for (const [k, v] of Object.entries(detail).slice(0, DETAIL_KEYS_MAX)) {
    if (v === undefined) continue;
    out[k.slice(0, 40)] = typeof v === "string" ? v.slice(0, DETAIL_VALUE_MAX) : v;
  }
  return out;
}

/** A URL's path without its query or fragment: what may be stored of an address a client asked for. */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split(/[?#]/)[0] ?? "";
  }
}

/** A URL's origin and path without query, fragment or userinfo (a CIMD metadata URL, a redirect URI). */
export function addressOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "";
  }
}

/**
 * The `scheme://host` a request arrived with as the client addressed it: a proxy's `X-Forwarded-Proto` /
 * `X-Forwarded-Host` when sent (shown, never trusted for anything else), else the request URL's own.
 */
export function seenOrigin(request: Request): string {
  const url = new URL(request.url);
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() ?? request.headers.get("host") ?? url.host;
  const scheme = proto === "https" || proto === "http" ? proto : url.protocol.slice(0, -1);
  return `${scheme}://${host.replace(/[^A-Za-z0-9.:\-\[\]]/g, "").slice(0, 200)}`;
}

/** The HTTP facts of a request every step records: the path asked for and the origin it arrived with. */
export function requestDetail(request: Request): HandshakeDetail {
  const detail: HandshakeDetail = { path: pathOf(request.url), seen: seenOrigin(request) };
  // The doctor's own self-check walks the public URL as a host would (src/doctor/self-check.ts): not a host's step.
  if (request.headers.get("user-agent") === SELF_CHECK_USER_AGENT) detail.selfCheck = true;
  return detail;
}

/** The first characters of a grant id: enough to tell grants apart on a page, not to look one up from outside. */
export function grantPrefix(grantId: string | null | undefined): string | null {
  return grantId ? grantId.slice(0, 12) : null;
}

const DETAIL = Symbol("handshake detail");

/** Attaches doctor detail to an error on its way to the handler that records the failed step. */
export function withDetail<E extends Error>(err: E, detail: HandshakeDetail): E {
  (err as E & { [DETAIL]?: HandshakeDetail })[DETAIL] = detail;
  return err;
}

/** The detail `withDetail` attached, if any. */
export function detailOf(err: unknown): HandshakeDetail {
  return (err as { [DETAIL]?: HandshakeDetail } | null)?.[DETAIL] ?? {};
}

/**
 * Records one handshake step. Cheap enough for every metadata fetch. `now` comes from the caller's `deps.clock`;
 * a caller holding only a database falls back to the system clock.
 */
export async function recordHandshake(db: Db, event: HandshakeInput, now = systemClock.now()): Promise<void> {
  if (event.detail?.selfCheck) return;
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
        detail: boundedDetail(event.detail),
      })
      .returning({ id: handshakeEvents.id }));
  // Prune every PRUNE_EVERY-th row instead of on each insert: bounded size at no per-request cost.
  if (row && row.id % PRUNE_EVERY === 0) await pruneHandshakes(db, now);
}

/** Keeps only the newest `keep` rows. */
export async function trimHandshakes(db: Db, keep: number): Promise<void> {
  const { handshakeEvents } = db.t;
  await db.delete(handshakeEvents)
        .where(lt(handshakeEvents.id, sql`(SELECT max(${handshakeEvents.id}) FROM ${handshakeEvents}) - ${keep} + 1`));
}

/**
 * Applies every bound: age, the per-client ring, the per-project ring of client-less rows, the total.
 * Window functions (`row_number() OVER`) exist in SQLite ≥ 3.25 and Postgres alike.
 */
export async function pruneHandshakes(db: Db, now: number, ring = RING_PER_CLIENT): Promise<void> {
  const { handshakeEvents: h } = db.t;
  await db.delete(h).where(lt(h.time, now - MAX_AGE_MS));
  // Rows naming a client: the newest `ring` per client; rows naming none: the newest `ring` per project.
  for (const [name, partition, rows] of [["by_client", h.clientId, isNotNull(h.clientId)], ["by_project", h.projectId, isNull(h.clientId)]] as const) {
    const ranked = db
      .select({ id: h.id, rn: sql<number>`row_number() over (partition by ${partition} order by ${h.id} desc)`.as("rn") })
      .from(h)
      .where(rows)
      .as(name);
    await db.delete(h).where(inArray(h.id, db.select({ id: ranked.id }).from(ranked).where(gt(ranked.rn, ring))));
  }
  await trimHandshakes(db, KEEP_ROWS);
}

/**
 * A project's recent handshake steps, newest first. Registration and client-metadata steps happen before
 * the client names a project, so they are included for every client that later reached this project.
 * `clientId` narrows to one client.
 */
export async function listHandshakes(db: Db, projectId: string, limit = 100, clientId?: string) {
  const { handshakeEvents } = db.t;
  const clientsOfProject = db
    .selectDistinct({ clientId: handshakeEvents.clientId })
    .from(handshakeEvents)
    .where(and(eq(handshakeEvents.projectId, projectId), isNotNull(handshakeEvents.clientId)));
  const ofProject = or(
    eq(handshakeEvents.projectId, projectId),
    and(isNull(handshakeEvents.projectId), inArray(handshakeEvents.clientId, clientsOfProject)),
  );
  return await db
      .select()
      .from(handshakeEvents)
      .where(clientId === undefined ? ofProject : and(ofProject, eq(handshakeEvents.clientId, clientId)))
      .orderBy(desc(handshakeEvents.id))
      .limit(Math.min(limit, LIST_MAX));
}
