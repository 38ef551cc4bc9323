/**
 * MCP sessions (Streamable HTTP §Session Management) of 2025 clients. A session id is bound to the credential
 * that created it (docs/architecture.md: another credential → 404), expires when idle, and ends when its
 * grant, API key or approving sign-in session is revoked — closing its open streams. A channel's
 * `toolsChanged` reaches every open GET stream of that channel as tools/prompts/resources `list_changed`.
 *
 * Several instances (docs/architecture.md: Change feed, "Several instances"): the session itself is a row in
 * `mcp_sessions`, so any instance serves its next request; lookups read through the MCP read cache, which
 * the change feed keeps exact (a DELETE or a revocation on another instance is seen on the next request),
 * and `last_seen_at` is written at most once a TOUCH_MS, so a lookup costs no write. GET streams are
 * connections: they stay with the instance that accepted them (`held`), which keeps their rows fresh and
 * closes them when the row disappears elsewhere. Questions a tool asks over a 2025 call's stream and
 * `notifications/cancelled` act on the call running in this instance only (mrtr/pending.ts).
 */
import type { SQL } from "bun";
import { credentialId, type Principal } from "../auth/principal";
import type { Db } from "../db/client";
import type { Channel, Role } from "../db/schema";
import type { ChangeFeed } from "../lib/change-feed";
import type { EventBus } from "../lib/events";
import { systemClock, type Clock } from "../lib/clock";
import { newToken } from "../lib/ids";
import type { ReadCache } from "./read-cache";
import { notificationMessage } from "./rpc";
import { SqliteSessionRows, type CredentialColumn, type LogLevel, type McpSession, type SessionRows } from "./session-rows";
import { PgSessionRows } from "./session-rows-pg";
import type { SseStream } from "./sse";
import { mayListen, type HeldCredential, type StreamHolder } from "./stream-credentials";

export { LOG_LEVELS, type LogLevel, type McpSession } from "./session-rows";

/** The `mcp_sessions` statements of `db`'s engine (docs/architecture.md: Storage). */
export function sessionRowsFor(db: Pick<Db, "$client" | "engine">): SessionRows {
  // openPgStorage's `$client` is Bun's SQL pool at runtime, typed as bun:sqlite's Database (src/db/pg/client.ts).
  return db.engine === "postgres" ? new PgSessionRows(db.$client as unknown as SQL) : new SqliteSessionRows(db.$client);
}

/** Sessions unused this long are forgotten (a host re-initializes on 404). */
export const SESSION_IDLE_MS = 60 * 60_000;
/**
 * Beyond this many sessions the least recently used one is dropped, preferring one without a stream held
 * here (public projects let anyone initialize). A hard cap: sessions holding streams are not exempt
 * (issue 11 #16: anonymous GET streams kept their sessions past it). Counted over every instance (rows).
 */
export const MAX_SESSIONS = 20_000;
/**
 * GET notification streams one session may hold. A new GET replaces the session's open stream (a host
 * reconnecting after a network blip is served; one session cannot pile up streams — issue 11 #16).
 */
export const MAX_STREAMS_PER_SESSION = 1;
/** Default cap on open GET streams per project, over all its sessions, per instance (config `maxStreamsPerProject`). */
export const DEFAULT_MAX_STREAMS_PER_PROJECT = 200;
/** `last_seen_at` is written at most this often per session (a lookup must not cost a write). */
export const TOUCH_MS = 60_000;
const SWEEP_MS = 60_000;

const CHANGED = ["notifications/tools/list_changed", "notifications/prompts/list_changed", "notifications/resources/list_changed"];

/** What the store needs from the app (`Deps`): the database, its change feed, the in-process events. */
export interface SessionStoreDeps {
  db: Pick<Db, "$client" | "engine">;
  changes: ChangeFeed;
  bus: EventBus;
  /** `deps.clock` in the app; a store built on its own (tests) reads the system clock. */
  clock?: Clock;
  /** Where a failed background sweep or row deletion is reported (the app's logger). */
  log?: { warn(obj: object, msg: string): void };
}

interface Held {
  session: McpSession;
  streams: Set<SseStream>;
}

export class SessionStore implements StreamHolder {
  private readonly rows: SessionRows;
  /** Sessions with a GET stream open on this instance. */
  private held = new Map<string, Held>();
  private sweeper: ReturnType<typeof setInterval>;
  private unsubscribe: Array<() => void>;
  private readonly clock: Clock;
  private readonly changes: ChangeFeed;
  private readonly touchMs: number;
  private readonly log: SessionStoreDeps["log"];
  /** True while this store's own announcement runs the feed's subscribers. */
  private announcing = false;
  /** Called with the id of every session that ends (the 2025 questions waiting on it here are dropped). */
  onEnd: (id: string) => void = () => {};

  constructor(
    deps: SessionStoreDeps,
    private readonly reads: ReadCache,
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly maxStreamsPerProject = DEFAULT_MAX_STREAMS_PER_PROJECT,
  ) {
    this.rows = sessionRowsFor(deps.db);
    this.clock = deps.clock ?? systemClock;
    this.changes = deps.changes;
    this.log = deps.log;
    // Stream holders refresh their rows every sweep, so a row is idle-expired only when nobody holds it.
    this.touchMs = Math.min(TOUCH_MS, idleMs / 2);
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref?.();
    const { bus } = deps;
    this.unsubscribe = [
      bus.on("toolsChanged", ({ projectId, channel }) => this.notifyChannel(projectId, channel)),
      bus.on("grantRevoked", ({ grantId }) => this.background(this.endByCredential("grantId", grantId))),
      bus.on("apiKeyRevoked", ({ apiKeyId }) => this.background(this.endByCredential("apiKeyId", apiKeyId))),
      bus.on("sessionEnded", ({ sessionId }) => this.background(this.endByCredential("loginSessionId", sessionId))),
      // Rows ended by this store closed their streams directly. One deleted elsewhere shows as an unannounced
      // change (another process on SQLite, the CLI) or as another store's empty announcement (`wrote()`: on
      // Postgres the feed carries it to every instance with its topics, docs/architecture.md "Postgres change feed").
      deps.changes.subscribe((change) => {
        if (this.announcing) return;
        if (!change.topics || change.topics.size === 0) this.background(this.endVanished());
      }),
    ];
  }

  async create(
    principal: Principal, target: { orgId: string; projectId: string; channel: Channel }, protocolVersion: string,
    clientInfo: McpSession["clientInfo"], clientCapabilities: Record<string, unknown> = {},
  ): Promise<McpSession> {
    const now = this.clock.now();
    const session: McpSession = {
      id: newToken(),
      credential: credentialId(principal),
      projectId: target.projectId,
      channel: target.channel,
      protocolVersion,
      clientInfo,
      clientCapabilities,
      logLevel: "info",
      grantId: principal.kind === "user" ? principal.grantId : null,
      apiKeyId: principal.kind === "apikey" ? principal.apiKeyId : null,
      userId: principal.kind === "anonymous" ? null : principal.userId,
      orgId: target.orgId,
      role: principal.kind === "anonymous" ? null : principal.role,
      loginSessionId: principal.kind === "user" ? principal.sessionId : null,
      lastSeen: now,
    };
    if ((await this.rows.count()) >= MAX_SESSIONS) await this.evictOne();
    await this.rows.insert(session, now);
    this.wrote();
    return session;
  }

  /**
   * The live session for an id, only if this credential created it on this channel; otherwise null
   * (→ 404, so a stolen id reveals nothing). Read through the MCP read cache: no query while nothing changed.
   */
  async find(id: string, principal: Principal, target: { projectId: string; channel: Channel }): Promise<McpSession | null> {
    // The cache holds the lookup's promise: concurrent requests of one session share one query.
    const s = await this.reads.get(`mcp-session:${id}`, () => this.rows.get(id));
    if (!s || s.projectId !== target.projectId || s.channel !== target.channel || s.credential !== credentialId(principal)) return null;
    const now = this.clock.now();
    const held = this.held.get(id);
    // A session with an open stream is in use even when no POST arrives.
    if (!held && now - s.lastSeen > this.idleMs) {
      await this.end(id);
      return null;
    }
    if (now - s.lastSeen >= this.touchMs) {
      // Stamped before the write: concurrent lookups of the same cached session do not write again.
      s.lastSeen = now;
      await this.rows.touch([id], now);
      this.wrote();
    }
    if (!held) return s;
    // The held object carries this instance's view (its role); the row carries what any instance changed.
    held.session.logLevel = s.logLevel;
    held.session.lastSeen = s.lastSeen;
    return held.session;
  }

  /** logging/setLevel: stored on the row, so the next request on any instance uses it. */
  async setLogLevel(session: McpSession, level: LogLevel): Promise<void> {
    await this.rows.setLogLevel(session.id, level);
    session.logLevel = level;
    this.wrote();
  }

  /**
   * Ends a session everywhere: its streams here close at once (before any await, so a caller that cannot
   * wait still closes them), then its row goes (every instance's next lookup misses).
   */
  async end(id: string): Promise<boolean> {
    const held = this.held.has(id);
    this.release(id);
    this.onEnd(id);
    const existed = await this.rows.delete(id);
    this.wrote();
    return existed || held;
  }

  /** Sessions over every instance (the metrics gauge). */
  count(): Promise<number> {
    return this.rows.count();
  }

  /** True once the listener is stopping: no new streams (a client would reconnect on a kept-alive connection). */
  draining = false;

  /** Closes every open stream (the listener is stopping); sessions stay valid — for this and every other instance. */
  closeStreams(): void {
    this.draining = true;
    for (const h of this.held.values()) for (const stream of h.streams) stream.close();
  }

  /**
   * Attaches a GET notification stream to `session`: it replaces the session's oldest stream once the
   * session holds MAX_STREAMS_PER_SESSION; null (nothing attached) when the project already has
   * `maxStreamsPerProject` open streams on this instance (issue 11 #16, #19: a busy or hostile caller cannot
   * hold every connection). `make` builds the stream only once it is admitted; it gets the function the
   * stream calls when it closes.
   */
  openStream(session: McpSession, make: (onClose: () => void) => SseStream): SseStream | null {
    let held = this.held.get(session.id);
    const replacing = (held?.streams.size ?? 0) >= MAX_STREAMS_PER_SESSION;
    if (!replacing && this.streamsOf(session.projectId) >= this.maxStreamsPerProject) return null;
    if (!held) this.held.set(session.id, (held = { session, streams: new Set() }));
    const h = held;
    while (h.streams.size >= MAX_STREAMS_PER_SESSION) {
      const oldest = h.streams.values().next().value!;
      h.streams.delete(oldest);
      oldest.close();
    }
    const stream: SseStream = make(() => {
      h.streams.delete(stream);
      if (h.streams.size === 0 && this.held.get(session.id) === h) this.held.delete(session.id);
    });
    h.streams.add(stream);
    // Closing the replaced stream above may have forgotten the session (its last stream ended).
    this.held.set(session.id, h);
    return stream;
  }

  /** The GET streams `sessionId` holds on this instance. */
  streamsOfSession(sessionId: string): ReadonlySet<SseStream> {
    return this.held.get(sessionId)?.streams ?? new Set();
  }

  /** Open GET streams of one project on this instance (counted when a stream opens: GETs are rare next to POSTs). */
  streamsOf(projectId: string): number {
    let n = 0;
    for (const h of this.held.values()) if (h.session.projectId === projectId) n += h.streams.size;
    return n;
  }

  /** Open GET notification streams on this instance. */
  get streamCount(): number {
    let n = 0;
    for (const h of this.held.values()) n += h.streams.size;
    return n;
  }

  /** Stops this instance's part: its streams close; the rows stay for the other instances (and this one's restart). */
  close(): void {
    clearInterval(this.sweeper);
    for (const off of this.unsubscribe) off();
    for (const id of [...this.held.keys()]) this.release(id);
  }

  /**
   * docs/architecture.md (Roles): a role lowered after consent makes tools disappear "with list_changed". Called when
   * the database changed; `roleOf` reads the current role (null = no longer a member → session ends).
   * Synchronous (src/mcp/list-changed.ts calls it so): streams close now, rows are deleted in the background.
   */
  checkRoles(roleOf: (orgId: string, userId: string) => Role | null): void {
    for (const { session: s } of [...this.held.values()]) {
      if (s.userId === null) continue;
      const role = roleOf(s.orgId, s.userId);
      if (role === null || !mayListen(role, s.channel)) this.background(this.end(s.id));
      else if (role !== s.role) {
        s.role = role;
        this.notify(s.id);
      }
    }
  }

  /** Credentials of sessions holding a GET stream here (only those need ending from outside a request). */
  heldCredentials(): HeldCredential[] {
    return [...this.held.values()].map((h) => h.session);
  }

  /** Synchronous (the StreamHolder interface): streams close now, rows are deleted in the background. */
  endHeld(dead: (c: HeldCredential) => boolean): void {
    for (const h of [...this.held.values()]) if (dead(h.session)) this.background(this.end(h.session.id));
  }

  private notify(id: string): void {
    for (const stream of this.held.get(id)?.streams ?? []) for (const method of CHANGED) stream.send(notificationMessage(method));
  }

  private notifyChannel(projectId: string, channel: Channel): void {
    for (const [id, h] of this.held) if (h.session.projectId === projectId && h.session.channel === channel) this.notify(id);
  }

  /** A revocation in this process: its sessions' rows go (every instance's next lookup misses) and streams here close. */
  private async endByCredential(column: CredentialColumn, value: string): Promise<void> {
    // Streams held here close before the delete's round trip (a revoked credential is not served meanwhile).
    const heldHere = [...this.held.values()].filter((h) => h.session[column] === value).map((h) => h.session.id);
    for (const id of heldHere) {
      this.release(id);
      this.onEnd(id);
    }
    const ended = await this.rows.deleteByCredential(column, value);
    this.wrote();
    for (const id of ended) {
      if (heldHere.includes(id)) continue;
      this.release(id);
      this.onEnd(id);
    }
  }

  /** Closes the streams of sessions whose row another process deleted. */
  private async endVanished(): Promise<void> {
    if (this.held.size === 0) return;
    // Only the ids asked about: a stream opened while the query ran has a row that was not checked.
    const asked = [...this.held.keys()];
    const live = await this.rows.existing(asked);
    for (const id of asked) {
      if (live.has(id) || !this.held.has(id)) continue;
      this.release(id);
      this.onEnd(id);
    }
  }

  /** Forgets what this instance holds for a session and closes its streams. */
  private release(id: string): void {
    const held = this.held.get(id);
    if (!held) return;
    this.held.delete(id);
    for (const stream of held.streams) stream.close();
  }

  /**
   * Tells the feed this store wrote session rows. No topic names them (an empty set is what only session
   * writes announce): the read cache drops on any version move whatever the topic, and streams here were
   * handled directly, so this store's subscriber skips its own announcement (the feed calls it synchronously).
   */
  private wrote(): void {
    this.announcing = true;
    try {
      this.changes.announce([]);
    } finally {
      this.announcing = false;
    }
  }

  private async evictOne(): Promise<void> {
    // Oldest first; skip sessions whose stream this instance holds while another candidate exists.
    const candidates = await this.rows.oldest(this.held.size + 1);
    const victim = candidates.find((id) => !this.held.has(id)) ?? candidates[0];
    if (victim) await this.end(victim);
  }

  /** Work a synchronous caller (an event, the feed, a role check) cannot await: a failure is logged, never thrown. */
  private background(work: Promise<unknown>): void {
    work.catch((err) => this.log?.warn({ err }, "MCP session rows could not be updated"));
  }

  /** Refreshes the rows of held streams, deletes idle rows and closes streams whose row went elsewhere. */
  private async sweep(): Promise<void> {
    const now = this.clock.now();
    try {
      if (this.held.size > 0) await this.rows.touch([...this.held.keys()], now);
      await this.rows.deleteIdleSince(now - this.idleMs);
      this.wrote();
      await this.endVanished();
    } catch (err) {
      // A busy or read-only database: the next sweep tries again; lookups still expire idle rows.
      this.log?.warn({ err }, "MCP session sweep failed");
    }
  }
}
