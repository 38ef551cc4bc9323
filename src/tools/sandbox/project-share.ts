/**
 * Each project's share of the sandbox pool (issue 11 #19: one project's scripts could take every worker
 * and starve every other project). A project runs at most `limit` scripts at once; up to `queueLimit`
 * more wait for one of its own turns (never for another project's worker); beyond that a call is refused
 * at once with a "busy, try again" tool error. With the default limit (half the pool, rounded up) another
 * project always finds a worker.
 */

/** Why a call did not get a turn: its project's queue is full, it waited its whole time limit, or it was cancelled. */
export type Refusal = "full" | "timeout" | "cancelled";

interface Share {
  running: number;
  waiting: Array<() => void>;
}

export class ProjectShare {
  private shares = new Map<string, Share>();

  constructor(
    /** Scripts one project may run at once. */
    readonly limit: number,
    /** Calls of one project that may wait for a turn. */
    readonly queueLimit: number,
  ) {}

  /** Takes a turn for `project` (call `leave` when done), or says why not. */
  enter(project: string, signal: AbortSignal, waitMs: number): Promise<true | Refusal> {
    let share = this.shares.get(project);
    if (!share) this.shares.set(project, (share = { running: 0, waiting: [] }));
    if (share.running < this.limit) {
      share.running++;
      return Promise.resolve(true);
    }
    if (share.waiting.length >= this.queueLimit) return Promise.resolve("full");
    const s = share;
    return new Promise((resolve) => {
      const leaveQueue = (why: Refusal) => {
        s.waiting = s.waiting.filter((w) => w !== wake);
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.forgetIfIdle(project, s);
        resolve(why);
      };
      // `leave` hands its turn over directly (running stays the same).
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      };
      const onAbort = () => leaveQueue("cancelled");
      const timer = setTimeout(() => leaveQueue("timeout"), waitMs);
      signal.addEventListener("abort", onAbort, { once: true });
      s.waiting.push(wake);
    });
  }

  /** Gives a turn back: the project's next waiting call takes it. */
  leave(project: string): void {
    const share = this.shares.get(project);
    if (!share) return;
    const next = share.waiting.shift();
    if (next) return next();
    share.running--;
    this.forgetIfIdle(project, share);
  }

  /** Scripts running now for `project` (tests, metrics). */
  running(project: string): number {
    return this.shares.get(project)?.running ?? 0;
  }

  private forgetIfIdle(project: string, share: Share): void {
    if (share.running === 0 && share.waiting.length === 0) this.shares.delete(project);
  }
}

/** Default per-project limit: half the pool rounded up, at least 1, so a second project always has a worker. */
export function defaultProjectLimit(maxWorkers: number): number {
  return Math.max(1, Math.ceil(maxWorkers / 2));
}
