/**
 * The two halves of the Postgres change feed's wire format and its acknowledgement wait
 * (docs/architecture.md: Storage, "Postgres change feed"):
 * - a change notification's payload, `<seq>:<topics>:<origin instance>` on channel `portico_changes`;
 * - an acknowledgement, `<instance>:<seq>` on channel `portico_acks`, sent after the instance has applied
 *   every change up to `seq` (moved its version, run its subscribers) and recorded it in
 *   `portico_instances.acked_seq`;
 * - `AckWait`: resolves once every live instance but the writer has acknowledged `seq`.
 */
import type { SQL } from "bun";
import { TOPICS, type Topic } from "../../lib/change-feed";
import { DB_NOW_MS } from "./cluster-schema";

const KNOWN: ReadonlySet<string> = new Set(TOPICS);

export interface ParsedChange {
  seq: number;
  /** Undefined when the payload names none we can vouch for: "anything may have changed". */
  topics?: ReadonlySet<Topic>;
  origin?: string;
}

/** The payload a change is announced with; topics are checked names (they are inlined in SQL). */
export function changePayloadSql(topics: ReadonlySet<Topic>, origin: string): { topics: string; payloadTail: string } {
  for (const t of topics) if (!KNOWN.has(t)) throw new Error(`unknown change topic ${JSON.stringify(t)}`);
  const list = [...topics].sort().join(",");
  return { topics: list, payloadTail: `:${list}:${origin}` };
}

/**
 * Reads a change payload. A payload whose sequence is unreadable gives null (the change is applied as
 * "anything changed" and cannot be acknowledged); one with a sequence but unknown topics gives no topics.
 */
export function parseChange(payload: string): ParsedChange | null {
  const [seqText = "", topicsText, origin, ...rest] = payload.split(":");
  const seq = Number(seqText);
  if (!/^\d+$/.test(seqText) || !Number.isSafeInteger(seq) || seq <= 0) return null;
  if (topicsText === undefined || !origin || rest.length > 0) return { seq };
  const names = topicsText === "" ? [] : topicsText.split(",");
  if (!names.every((n) => KNOWN.has(n))) return { seq, origin };
  return { seq, topics: new Set(names as Topic[]), origin };
}

/** An acknowledgement payload, or null. */
export function parseAck(payload: string): { instance: string; seq: number } | null {
  const at = payload.lastIndexOf(":");
  const seq = Number(payload.slice(at + 1));
  if (at <= 0 || !Number.isSafeInteger(seq)) return null;
  return { instance: payload.slice(0, at), seq };
}

/** Ids are `newId` output (lowercase letters, digits, `_`): safe to inline in SQL, checked anyway. */
export function sqlId(id: string): string {
  if (!/^[a-z0-9_]+$/.test(id)) throw new Error(`not an instance id: ${JSON.stringify(id)}`);
  return `'${id}'`;
}

/**
 * Waits until every live instance other than `self` has `acked_seq >= seq`. Live = a heartbeat within
 * `liveMs` by the database's clock. The set still owing an ack is read from `portico_instances`, then
 * shrunk by ack notifications as they arrive; it is re-read every `recheckMs`, which drops an instance that
 * stopped heartbeating and covers an ack notification that was lost. Rejects when a read fails.
 */
export class AckWait {
  private pending: Set<string> | null = null;
  /** Acks heard before the first read returned. */
  private early = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private done = false;
  readonly promise: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: unknown) => void;

  constructor(
    private readonly sql: SQL,
    private readonly self: string,
    readonly seq: number,
    private readonly opts: { liveMs: number; recheckMs: number },
  ) {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    void this.read();
  }

  /** An ack notification. */
  heard(instance: string, seq: number): void {
    if (this.done || seq < this.seq) return;
    if (!this.pending) {
      this.early.add(instance);
      return;
    }
    this.pending.delete(instance);
    if (this.pending.size === 0) this.finish();
  }

  /** Stops waiting (the caller timed out); the promise stays pending and is dropped. */
  cancel(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async read(): Promise<void> {
    if (this.done) return;
    try {
      const rows = (await this.sql.unsafe(
        `SELECT id FROM portico_instances WHERE id <> ${sqlId(this.self)} AND acked_seq < ${this.seq} AND heartbeat_at > ${DB_NOW_MS} - ${this.opts.liveMs}`,
      )) as Array<{ id: string }>;
      if (this.done) return;
      this.pending = new Set(rows.map((r) => r.id).filter((id) => !this.early.has(id)));
      if (this.pending.size === 0) return this.finish();
      this.timer = setTimeout(() => void this.read(), this.opts.recheckMs);
    } catch (err) {
      if (this.done) return;
      this.done = true;
      this.reject(err);
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.resolve();
  }
}
