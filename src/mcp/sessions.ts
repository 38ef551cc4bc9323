/**
 * MCP sessions (Streamable HTTP §Session Management). A session id is bound to the credential that
 * created it (docs/architecture.md: another credential → 404), lives in memory, expires when idle, and ends when its
 * grant, API key or approving sign-in session is revoked — closing its open streams. A channel's
 * `toolsChanged` reaches every open GET stream of that channel as tools/prompts/resources `list_changed`.
 */
import { credentialId, type Principal } from "../auth/principal";
import type { Channel, Role } from "../db/schema";
import type { EventBus } from "../lib/events";
import { systemClock, type Clock } from "../lib/clock";
import { newToken } from "../lib/ids";
import { notificationMessage } from "./rpc";
import type { SseStream } from "./sse";
import { mayListen, type HeldCredential, type StreamHolder } from "./stream-credentials";

/** Sessions unused this long are forgotten (a host re-initializes on 404). */
export const SESSION_IDLE_MS = 60 * 60_000;
/**
 * Beyond this many sessions the least recently used one is dropped, preferring one without a stream
 * (public projects let anyone initialize). A hard cap: sessions holding streams are not exempt
 * (issue 11 #16: anonymous GET streams kept their sessions past it).
 */
export const MAX_SESSIONS = 20_000;
/**
 * GET notification streams one session may hold. A new GET replaces the session's open stream (a host
 * reconnecting after a network blip is served; one session cannot pile up streams — issue 11 #16).
 */
export const MAX_STREAMS_PER_SESSION = 1;
/** Default cap on open GET streams per project, over all its sessions (config `maxStreamsPerProject`). */
export const DEFAULT_MAX_STREAMS_PER_PROJECT = 200;
const SWEEP_MS = 60_000;

export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface McpSession {
  id: string;
  credential: string;
  projectId: string;
  channel: Channel;
  protocolVersion: string;
  clientInfo: { name: string; version: string } | null;
  /** The capabilities the client declared in initialize (elicitation, sampling, roots …). */
  clientCapabilities: Record<string, unknown>;
  /** Minimum level of `notifications/message` the client asked for (logging/setLevel). */
  logLevel: LogLevel;
  grantId: string | null;
  apiKeyId: string | null;
  /** The acting user and the role their tool list was built for (null: anonymous). */
  userId: string | null;
  orgId: string;
  role: Role | null;
  loginSessionId: string | null;
  lastSeen: number;
  streams: Set<SseStream>;
}

const CHANGED = ["notifications/tools/list_changed", "notifications/prompts/list_changed", "notifications/resources/list_changed"];

export class SessionStore implements StreamHolder {
  private sessions = new Map<string, McpSession>();
  private sweeper: ReturnType<typeof setInterval>;
  private unsubscribe: Array<() => void>;

  constructor(
    bus: EventBus,
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly maxStreamsPerProject = DEFAULT_MAX_STREAMS_PER_PROJECT,
    /** `deps.clock` in the app; a store built on its own (tests) reads the system clock. */
    private readonly clock: Clock = systemClock,
  ) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref?.();
    this.unsubscribe = [
      bus.on("toolsChanged", ({ projectId, channel }) => this.notifyChannel(projectId, channel)),
      bus.on("grantRevoked", ({ grantId }) => this.endWhere((s) => s.grantId === grantId)),
      bus.on("apiKeyRevoked", ({ apiKeyId }) => this.endWhere((s) => s.apiKeyId === apiKeyId)),
      bus.on("sessionEnded", ({ sessionId }) => this.endWhere((s) => s.loginSessionId === sessionId)),
    ];
  }

  create(
    principal: Principal, target: { orgId: string; projectId: string; channel: Channel }, protocolVersion: string,
    clientInfo: McpSession["clientInfo"], clientCapabilities: Record<string, unknown> = {},
  ): McpSession {
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
      lastSeen: this.clock.now(),
      streams: new Set(),
    };
    if (this.sessions.size >= MAX_SESSIONS) this.evictOne();
    this.sessions.set(session.id, session);
    return session;
  }

  /**
   * The live session for an id, only if this credential created it on this channel; otherwise null
   * (→ 404, so a stolen id reveals nothing).
   */
  find(id: string, principal: Principal, target: { projectId: string; channel: Channel }): McpSession | null {
    const now = this.clock.now();
    const s = this.sessions.get(id);
    if (!s || s.projectId !== target.projectId || s.channel !== target.channel || s.credential !== credentialId(principal)) return null;
    if (this.expired(s, now)) {
      this.end(s.id);
      return null;
    }
    s.lastSeen = now;
    return s;
  }

  /** Called with the id of every session that ends (the 2025 questions waiting on it are dropped). */
  onEnd: (id: string) => void = () => {};

  end(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    this.onEnd(id);
    for (const stream of s.streams) stream.close();
    return true;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** True once the listener is stopping: no new streams (a client would reconnect on a kept-alive connection). */
  draining = false;

  /** Closes every open stream (the listener is stopping); sessions stay valid until close(). */
  closeStreams(): void {
    this.draining = true;
    for (const s of this.sessions.values()) for (const stream of s.streams) stream.close();
  }

  /**
   * Attaches a GET notification stream to `session`: it replaces the session's oldest stream once the
   * session holds MAX_STREAMS_PER_SESSION; false (nothing attached) when the project already has
   * `maxStreamsPerProject` open streams (issue 11 #16, #19: a busy or hostile caller cannot hold every
   * connection). `make` builds the stream only once it is admitted.
   */
  openStream(session: McpSession, make: () => SseStream): SseStream | null {
    const replacing = session.streams.size >= MAX_STREAMS_PER_SESSION;
    if (!replacing && this.streamsOf(session.projectId) >= this.maxStreamsPerProject) return null;
    while (session.streams.size >= MAX_STREAMS_PER_SESSION) {
      const oldest = session.streams.values().next().value!;
      session.streams.delete(oldest);
      oldest.close();
    }
    const stream = make();
    session.streams.add(stream);
    return stream;
  }

  /** Open GET streams of one project (counted when a stream opens: GETs are rare next to POSTs). */
  streamsOf(projectId: string): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.projectId === projectId) n += s.streams.size;
    return n;
  }

  /** Open GET notification streams, over all sessions. */
  get streamCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.streams.size;
    return n;
  }

  /** Ends every session. */
  close(): void {
    clearInterval(this.sweeper);
    for (const off of this.unsubscribe) off();
    for (const id of [...this.sessions.keys()]) this.end(id);
  }

  /**
   * docs/architecture.md (Roles): a role lowered after consent makes tools disappear "with list_changed". Called when
   * the database changed; `roleOf` reads the current role (null = no longer a member → session ends).
   */
  checkRoles(roleOf: (orgId: string, userId: string) => Role | null): void {
    for (const s of [...this.sessions.values()]) {
      if (s.streams.size === 0 || s.userId === null) continue;
      const role = roleOf(s.orgId, s.userId);
      if (role === null || !mayListen(role, s.channel)) this.end(s.id);
      else if (role !== s.role) {
        s.role = role;
        this.notify(s);
      }
    }
  }

  /** Credentials of sessions holding a GET stream (only those need ending from outside a request). */
  heldCredentials(): HeldCredential[] {
    return [...this.sessions.values()].filter((s) => s.streams.size > 0);
  }

  endHeld(dead: (c: HeldCredential) => boolean): void {
    this.endWhere((s) => s.streams.size > 0 && dead(s));
  }

  private notify(s: McpSession): void {
    for (const stream of s.streams) for (const method of CHANGED) stream.send(notificationMessage(method));
  }

  private notifyChannel(projectId: string, channel: Channel): void {
    for (const s of this.sessions.values()) if (s.projectId === projectId && s.channel === channel) this.notify(s);
  }

  private endWhere(match: (s: McpSession) => boolean): void {
    for (const s of [...this.sessions.values()]) if (match(s)) this.end(s.id);
  }

  /** A session with an open stream is in use even when no POST arrives. */
  private expired(s: McpSession, now: number): boolean {
    return s.streams.size === 0 && now - s.lastSeen > this.idleMs;
  }

  private evictOne(): void {
    let oldest: McpSession | null = null;
    let oldestStreaming: McpSession | null = null;
    for (const s of this.sessions.values()) {
      if (s.streams.size === 0) {
        if (!oldest || s.lastSeen < oldest.lastSeen) oldest = s;
      } else if (!oldestStreaming || s.lastSeen < oldestStreaming.lastSeen) oldestStreaming = s;
    }
    const victim = oldest ?? oldestStreaming;
    if (victim) this.end(victim.id);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const s of [...this.sessions.values()]) if (this.expired(s, now)) this.end(s.id);
  }
}
