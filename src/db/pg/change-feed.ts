/**
 * The change feed on Postgres (docs/architecture.md: Storage, "Postgres change feed"), for instances that
 * share one database (issue 15: revocation exact on every instance):
 *
 * - `announce(topics)` moves this instance's version at once (its own caches drop now), then adds a row to
 *   `portico_changes` and NOTIFYs `portico_changes` with `<seq>:<topics>:<origin>` — one round trip, under
 *   an advisory lock so that sequence order is commit order (notifications arrive in commit order, so an
 *   instance that applied seq N has applied everything before it).
 * - Each instance LISTENs (Bun's SQL client: one dedicated connection, re-subscribed after a drop). A
 *   notification moves `version()` — which stays a field read — runs the subscribers with the topics, then
 *   acknowledges: `portico_instances.acked_seq` and a NOTIFY on `portico_acks`.
 * - `announceAndWait(topics, ms)` resolves once every live instance has acknowledged the change (AckWait,
 *   change-acks.ts), and rejects with ChangeUnconfirmedError on timeout or when Postgres is unreachable.
 * - Live = a heartbeat within `liveMs` (5 s) by the database's clock; every `heartbeatMs` (1 s) an instance
 *   NOTIFYs a probe channel of its own and, while its listener echoed a probe within `healthyMs` (3 s),
 *   stamps its heartbeat. `healthy()` is true only while both are recent: an instance that may be missing
 *   notifications must stop serving (the request path answers 503) well before the others stop waiting
 *   for its acks — that is what makes dropping it from the ack set after 5 s safe.
 * - After the listener reconnects, notifications sent meanwhile are gone: the feed reports one change with
 *   unknown topics (every cache drops everything) and acknowledges the newest sequence.
 */
import type { SQL } from "bun";
import { ChangeLog, ChangeUnconfirmedError, mergeTopics, TOPICS, type Change, type ChangeFeed, type Topic } from "../../lib/change-feed";
import { postgresUnreachable } from "../../errors";
import { newId } from "../../lib/ids";
import { AckWait, changePayloadSql, parseAck, parseChange, sqlId } from "./change-acks";
import { DB_NOW_MS } from "./cluster-schema";
import { ADVISORY } from "./migrator";

export const CHANGES_CHANNEL = "portico_changes";
export const ACKS_CHANNEL = "portico_acks";
/** How often an instance stamps its heartbeat and probes its listener. */
export const HEARTBEAT_MS = 1000;
/** An instance whose heartbeat is older than this is no longer waited for. */
export const LIVE_MS = 5000;
/** An instance whose own heartbeat or probe echo is older than this reports itself unhealthy (< LIVE_MS). */
export const HEALTHY_MS = 3000;
/** How often a waiting writer re-reads who still owes an ack (ack notifications usually end it sooner). */
const RECHECK_MS = 200;
/** Rows of `portico_changes` kept, and how many heartbeats between prunes. */
const KEEP_CHANGES = 10_000;
const PRUNE_EVERY = 60;
/** Instance rows without a heartbeat for this long are deleted. */
const FORGET_INSTANCE_MS = 3_600_000;
/** A heartbeat round trip still unanswered after this long no longer holds back the next one. */
const STUCK_TICK_MS = 5000;

export interface PgChangeFeedOptions {
  heartbeatMs?: number;
  liveMs?: number;
  healthyMs?: number;
  /** Where a subscriber's exception and a database failure go (once per outage): never the announcer. */
  onError?: (err: unknown) => void;
}

export class PgChangeFeed implements ChangeFeed {
  /** This instance's row in `portico_instances`. */
  readonly instanceId = newId("inst");
  private readonly probeChannel = `portico_probe_${this.instanceId}`;
  private readonly heartbeatMs: number;
  private readonly liveMs: number;
  private readonly healthyMs: number;
  private current = 0;
  private readonly log = new ChangeLog();
  private listeners = new Set<(change: Change) => void>();
  private closed = false;
  private started = false;
  /** The newest change sequence this instance has applied, and the newest its ack notification carried. */
  private applied = 0;
  private ackSent = 0;
  private acking = false;
  /** Announcements that could not be written (Postgres unreachable): retried with the next heartbeat. */
  private unsent: ReadonlySet<Topic> | undefined | null = null;
  /** performance.now() of the last probe echo (or LISTEN acknowledgement), and of the last heartbeat sent that succeeded. */
  private echoAt = -Infinity;
  private beatSentAt = -Infinity;
  private tickStartedAt: number | null = null;
  private ticks = 0;
  private failing = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private subscriptions: SQL.ListenSubscription[] = [];
  private waits = new Set<AckWait>();

  private constructor(
    private readonly sql: SQL,
    private readonly opts: PgChangeFeedOptions,
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
    this.liveMs = opts.liveMs ?? LIVE_MS;
    this.healthyMs = opts.healthyMs ?? HEALTHY_MS;
  }

  /** Listens, registers this instance (live, having applied every change so far) and starts the heartbeat. */
  static async start(sql: SQL, opts: PgChangeFeedOptions = {}): Promise<PgChangeFeed> {
    const feed = new PgChangeFeed(sql, opts);
    try {
      feed.subscriptions.push(await sql.listen(CHANGES_CHANNEL, (p) => feed.onChange(p), () => feed.onListen()));
      feed.subscriptions.push(await sql.listen(ACKS_CHANNEL, (p) => feed.onAck(p)));
      feed.subscriptions.push(await sql.listen(feed.probeChannel, () => (feed.echoAt = performance.now())));
      await feed.register();
    } catch (err) {
      await feed.close();
      throw err;
    }
    feed.started = true;
    feed.timer = setInterval(() => void feed.tick(), feed.heartbeatMs);
    feed.timer.unref?.();
    return feed;
  }

  version(): number {
    return this.current;
  }

  changedSince(n: number): Change {
    return this.log.since(n, this.current);
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(topics: Iterable<Topic>): void {
    if (this.closed) return;
    const set = new Set(topics);
    this.record(set, true);
    this.send(set).catch(() => {});
  }

  async announceAndWait(topics: Iterable<Topic>, timeoutMs: number): Promise<void> {
    if (this.closed) throw new ChangeUnconfirmedError("The change was saved, but this instance is shutting down: other instances did not confirm it.");
    const set = new Set(topics);
    this.record(set, true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wait: AckWait | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ChangeUnconfirmedError(`The change was saved, but not every instance confirmed it within ${timeoutMs} ms.`)), timeoutMs);
    });
    try {
      const seq = await Promise.race([this.send(set), timeout]);
      wait = new AckWait(this.sql, this.instanceId, seq, { liveMs: this.liveMs, recheckMs: RECHECK_MS });
      this.waits.add(wait);
      await Promise.race([wait.promise, timeout]);
    } catch (err) {
      if (err instanceof ChangeUnconfirmedError) throw err;
      throw new ChangeUnconfirmedError("The change was saved, but the database cannot be reached to confirm it on the other instances.", { cause: String(err) });
    } finally {
      clearTimeout(timer);
      if (wait) {
        wait.cancel();
        this.waits.delete(wait);
      }
    }
  }

  /** A transaction holds its own pooled connection: reads outside it see committed rows only. */
  uncommitted(): boolean {
    return false;
  }

  /** Nothing to absorb: a write moves other instances' versions only when it is announced, and these never are. */
  quietly<T>(write: () => T): T {
    return write();
  }

  healthy(): boolean {
    if (this.closed || !this.started) return false;
    const now = performance.now();
    return now - this.beatSentAt < this.healthyMs && now - this.echoAt < this.healthyMs;
  }

  /**
   * A connection of the pool closed under us. Bun's client cannot say whether it was the LISTEN connection,
   * so any connection the database dropped (measured on `pg_ctl stop -m fast`: ERR_POSTGRES_SERVER_ERROR
   * with SQLSTATE 57P01, then ERR_POSTGRES_CONNECTION_REFUSED for every reconnect attempt) makes this
   * instance unhealthy now, not HEALTHY_MS later: in between, a request would be served from caches that
   * nothing keeps exact any more. It is healthy again once the listener has echoed a probe (or
   * resubscribed, which resyncs) and a heartbeat was stamped after that. The pool's own idle/lifetime
   * closes are not a loss.
   */
  connectionLost(err: unknown): void {
    if (this.closed || !postgresUnreachable(err)) return;
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string" && /^ERR_POSTGRES_(IDLE|LIFETIME)/.test(code)) return;
    this.echoAt = -Infinity;
    this.beatSentAt = -Infinity;
    this.failed(err);
  }

  /** Stops listening and heartbeating and removes this instance from the ack set (graceful shutdown: nobody waits for it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    for (const wait of this.waits) wait.cancel();
    this.waits.clear();
    const subscriptions = this.subscriptions.splice(0);
    try {
      for (const s of subscriptions) await s.unlisten();
      await this.sql.unsafe(`DELETE FROM portico_instances WHERE id = ${sqlId(this.instanceId)}`);
    } catch {
      // Unreachable: the row stops heartbeating and drops out of the ack set after liveMs.
    }
  }

  /** One more version, with what changed (undefined = anything), delivered to every subscriber now. */
  private record(topics: ReadonlySet<Topic> | undefined, here: boolean): void {
    this.current++;
    this.log.record(this.current, topics, here);
    const change: Change = { version: this.current, topics, here };
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  /** Writes and NOTIFYs one change; resolves with its sequence. On failure the topics wait for the next heartbeat. */
  private async send(topics: ReadonlySet<Topic> | undefined): Promise<number> {
    // Unknown topics are sent as the full list: a receiver cannot tell "anything" from "all of these" apart, nor needs to.
    const { topics: list, payloadTail } = changePayloadSql(topics ?? new Set(TOPICS), this.instanceId);
    try {
      const results = (await this.sql.unsafe(
        // One simple-protocol query = one implicit transaction: the lock is held until the row and the
        // notification commit, so no later sequence can commit (and be acknowledged) before this one.
        `SELECT pg_advisory_xact_lock(${ADVISORY.portico}, ${ADVISORY.changes}); ` +
          `WITH c AS (INSERT INTO portico_changes (topics, origin) VALUES ('${list}', ${sqlId(this.instanceId)}) RETURNING seq) ` +
          `SELECT seq, pg_notify('${CHANGES_CHANNEL}', seq::text || '${payloadTail}') FROM c`,
      )) as unknown as [unknown, Array<{ seq: string | number }>];
      this.healed();
      return Number(results[1][0]!.seq);
    } catch (err) {
      this.unsent = this.unsent === null ? topics : mergeTopics(this.unsent, topics);
      this.failed(err);
      throw err;
    }
  }

  private onChange(payload: string): void {
    if (this.closed) return;
    const change = parseChange(payload);
    // Our own announcements were applied when they were made.
    if (!change || change.origin !== this.instanceId) this.record(change?.topics, false);
    if (change && change.seq > this.applied) {
      this.applied = change.seq;
      this.sendAck();
    }
  }

  private onAck(payload: string): void {
    const ack = parseAck(payload);
    if (ack) for (const wait of this.waits) wait.heard(ack.instance, ack.seq);
  }

  /** The LISTEN was acknowledged: at start, or after a reconnect that may have lost notifications. */
  private onListen(): void {
    this.echoAt = performance.now();
    if (!this.started || this.closed) return;
    this.record(undefined, false);
    this.register().catch((err) => this.failed(err));
  }

  /** Marks this instance live, having applied every change committed so far (the caller has covered those). */
  private async register(): Promise<void> {
    const sentAt = performance.now();
    const id = sqlId(this.instanceId);
    const rows = (await this.sql.unsafe(
      `INSERT INTO portico_instances (id, heartbeat_at, acked_seq) VALUES (${id}, ${DB_NOW_MS}, (SELECT COALESCE(max(seq), 0) FROM portico_changes)) ` +
        "ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, acked_seq = GREATEST(portico_instances.acked_seq, EXCLUDED.acked_seq) RETURNING acked_seq",
    )) as Array<{ acked_seq: string | number }>;
    this.applied = Math.max(this.applied, Number(rows[0]!.acked_seq));
    this.beatSentAt = sentAt;
  }

  /** Records and announces the newest applied sequence; one write in flight, the next one carries the latest. */
  private sendAck(): void {
    if (this.acking || this.closed || this.applied <= this.ackSent) return;
    const seq = this.applied;
    const id = sqlId(this.instanceId);
    this.acking = true;
    // No flush to disk: an ack lost in a database crash only makes writers wait longer (and after a crash
    // every listener reconnects and resyncs anyway); it halves the announce→ack latency with fsync on.
    this.sql
      .unsafe(`SET LOCAL synchronous_commit = off; UPDATE portico_instances SET acked_seq = GREATEST(acked_seq, ${seq}) WHERE id = ${id}; SELECT pg_notify('${ACKS_CHANNEL}', '${this.instanceId}:${seq}')`)
      .then(
        () => {
          this.ackSent = seq;
          this.acking = false;
          this.sendAck();
        },
        (err) => {
          // The next heartbeat writes acked_seq; a waiting writer re-reads it.
          this.acking = false;
          this.failed(err);
        },
      );
  }

  /** The heartbeat: probe the listener, stamp liveness while it answers, retry unsent announcements, prune. */
  private async tick(): Promise<void> {
    const sentAt = performance.now();
    if (this.closed || (this.tickStartedAt !== null && sentAt - this.tickStartedAt < STUCK_TICK_MS)) return;
    this.tickStartedAt = sentAt;
    const beat = sentAt - this.echoAt < this.healthyMs;
    const id = sqlId(this.instanceId);
    try {
      await this.sql.unsafe(
        `SELECT pg_notify('${this.probeChannel}', '')` +
          (beat
            ? `; INSERT INTO portico_instances (id, heartbeat_at, acked_seq) VALUES (${id}, ${DB_NOW_MS}, ${this.applied}) ` +
              `ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, acked_seq = GREATEST(portico_instances.acked_seq, EXCLUDED.acked_seq)`
            : ""),
      );
      if (beat) this.beatSentAt = sentAt;
      this.healed();
      if (this.unsent !== null) {
        const topics = this.unsent;
        this.unsent = null;
        await this.send(topics);
      }
      if (++this.ticks % PRUNE_EVERY === 0) {
        await this.sql.unsafe(
          `DELETE FROM portico_changes WHERE seq < (SELECT max(seq) FROM portico_changes) - ${KEEP_CHANGES}; ` +
            `DELETE FROM portico_instances WHERE heartbeat_at < ${DB_NOW_MS} - ${FORGET_INSTANCE_MS}`,
        );
      }
    } catch (err) {
      this.failed(err);
    } finally {
      if (this.tickStartedAt === sentAt) this.tickStartedAt = null;
    }
  }

  private failed(err: unknown): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    this.opts.onError?.(err);
  }

  private healed(): void {
    this.failing = false;
  }
}
