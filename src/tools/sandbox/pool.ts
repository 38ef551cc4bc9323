/**
 * Host side of the script sandbox: a small pool of worker threads, each with its own QuickJS module,
 * each running one call at a time. A worker is terminated — taking its whole wasm heap with it — when a
 * call overruns its time limit by `GRACE_MS` (QuickJS's interrupt handler can be starved by long native
 * calls), when a cancel is not honoured, or when the worker asks to be recycled (heap grew, limit hit).
 * Workers start lazily on the first script call, so `createDeps` and idle memory pay nothing.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Logger } from "../../lib/log";
import { defaultProjectLimit, ProjectShare } from "./project-share";
import type { HostToWorker, LogLevel, SandboxJob, SandboxResult, WorkerToHost } from "./protocol";
import type { SpanStarter } from "../types";

/** How long past its time limit a call may run before its worker is terminated. */
const GRACE_MS = 250;
/** Extra workers (beyond the first) stop after this long without a call. */
const IDLE_RETIRE_MS = 30_000;
/** The last worker (≈ 35 MB) stops after this long without a call; the next call starts one (≈ 100 ms). */
const LAST_IDLE_RETIRE_MS = 5 * 60_000;
/** How often idle workers are looked for (one timer per pool, not one per call). */
const IDLE_SWEEP_MS = 10_000;

/**
 * Workers beyond the cores this process may use (its CPU affinity, e.g. `taskset`) only take turns on
 * them: on one core, 4 workers cost ~750 µs of CPU per trivial call against ~450 µs for 2 (context
 * switches, four wasm heaps competing for the cache). Two at least, so one slow call (a fetch) does not
 * hold up every other; four at most.
 */
export function defaultMaxWorkers(cores = availableParallelism()): number {
  return Math.min(4, Math.max(2, cores));
}

export interface RunHooks {
  /** The calling project: its calls share the pool only up to its per-project limit (project-share.ts). */
  projectId?: string;
  log(level: LogLevel, message: string): void;
  progress(progress: number, total?: number, message?: string): void;
  signal: AbortSignal;
  /** Child spans for the script's outbound fetches (issue 18); absent when telemetry is off. */
  span?: SpanStarter;
}

interface InFlight {
  id: number;
  hooks: RunHooks;
  finish(result: SandboxResult): void;
}

interface Slot {
  /** Null until the worker script is located (a compiled binary loads its embedded copy first). */
  worker: Worker | null;
  ready: Promise<boolean>;
  /** Settles `ready` (false when the worker is removed before it started). */
  markReady: (ok: boolean) => void;
  call: InFlight | null;
  /** `performance.now()` when the worker last finished a call (null while busy): idleness is a duration. */
  idleSince: number | null;
}

/** Calls of one project that may wait for one of its turns before more are refused ("busy, try again"). */
export const DEFAULT_QUEUE_PER_PROJECT = 16;

export interface PoolShareOptions {
  /** Scripts one project may run at once (default: half the pool rounded up, at least 1). */
  perProject?: number;
  /** Calls of one project that may wait for a turn (default DEFAULT_QUEUE_PER_PROJECT). */
  queuePerProject?: number;
}

const failure = (error: string): SandboxResult => ({ ok: false, errorClass: "runtime", error });

/** Marks a slot taken between `acquire` and the call's dispatch. */
const CLAIMED: InFlight = { id: 0, hooks: { log() {}, progress() {}, signal: new AbortController().signal }, finish() {} };

/**
 * The worker's script: next to this file when running from source; inside a compiled binary, the copy
 * bundled into it at build time (loaded on the first script call only).
 */
async function workerUrl(): Promise<string> {
  const source = fileURLToPath(new URL("./worker.ts", import.meta.url));
  if (existsSync(source)) return source;
  return (await import("./embedded-worker")).EMBEDDED_WORKER_URL;
}

export class SandboxPool {
  private slots: Slot[] = [];
  private waiting: Array<(slot: Slot | null) => void> = [];
  private nextId = 1;
  private closed = false;
  private sweeper: ReturnType<typeof setInterval> | null = null;

  private readonly shares: ProjectShare;

  constructor(
    private readonly log: Logger,
    private readonly maxWorkers = defaultMaxWorkers(),
    share: PoolShareOptions = {},
  ) {
    this.shares = new ProjectShare(share.perProject ?? defaultProjectLimit(maxWorkers), share.queuePerProject ?? DEFAULT_QUEUE_PER_PROJECT);
  }

  /** Runs one call; never rejects — every failure is a classified result. */
  async run(job: SandboxJob, hooks: RunHooks): Promise<SandboxResult> {
    if (hooks.signal.aborted) return failure("the call was cancelled");
    const project = hooks.projectId;
    if (project === undefined) return this.runInSlot(job, hooks);
    const turn = await this.shares.enter(project, hooks.signal, job.timeoutMs);
    if (turn === "full") {
      return failure(`this project's script sandboxes are busy (${this.shares.limit} running, ${this.shares.queueLimit} waiting): busy, try again in a moment`);
    }
    if (turn === "timeout") return failure(`this project's script sandboxes stayed busy for the call's ${job.timeoutMs} ms time limit: busy, try again in a moment`);
    if (turn === "cancelled") return failure("the call was cancelled");
    try {
      return await this.runInSlot(job, hooks);
    } finally {
      this.shares.leave(project);
    }
  }

  /** Scripts running now for a project (tests). */
  runningFor(projectId: string): number {
    return this.shares.running(projectId);
  }

  private async runInSlot(job: SandboxJob, hooks: RunHooks): Promise<SandboxResult> {
    const slot = await this.acquire(hooks.signal, job.timeoutMs);
    if (slot === "busy") return failure(`every script sandbox stayed busy for the call's ${job.timeoutMs} ms time limit`);
    if (!slot) return failure(this.closed ? "the server is shutting down" : "the call was cancelled");
    if (!(await slot.ready)) {
      this.remove(slot);
      return failure(this.closed ? "the server is shutting down" : "the script sandbox could not start");
    }
    // An abort while the worker was starting fired before the listener below exists: honour it here.
    if (hooks.signal.aborted) {
      this.release(slot);
      return failure("the call was cancelled");
    }
    return new Promise<SandboxResult>((resolve) => {
      const id = this.nextId++;
      let settled = false;
      let cancelBackstop: ReturnType<typeof setTimeout> | undefined;
      const finish = (result: SandboxResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(backstop);
        clearTimeout(cancelBackstop);
        hooks.signal.removeEventListener("abort", onAbort);
        resolve(result);
      };
      // Only for a call still running: by then its worker is stuck, and terminating it is the way out.
      const kill = (result: SandboxResult) => {
        if (settled) return;
        this.remove(slot);
        finish(result);
      };
      const backstop = setTimeout(() => kill(failure(`the script did not finish within ${job.timeoutMs} ms`)), job.timeoutMs + GRACE_MS);
      const onAbort = () => {
        this.post(slot, { type: "cancel", id });
        cancelBackstop = setTimeout(() => kill(failure("the call was cancelled")), GRACE_MS);
      };
      hooks.signal.addEventListener("abort", onAbort, { once: true });
      slot.call = { id, hooks, finish };
      this.post(slot, { type: "run", id, job });
    });
  }

  /** Number of live workers (for tests and metrics). */
  get size(): number {
    return this.slots.length;
  }

  /** Terminates every worker; calls still running end with a runtime error. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const wake of this.waiting.splice(0)) wake(null);
    for (const slot of [...this.slots]) {
      slot.call?.finish(failure("the server is shutting down"));
      this.remove(slot);
    }
  }

  /** A free worker, a new one, or a place in the queue — given up after `waitMs` ("busy") or on abort. */
  private acquire(signal: AbortSignal, waitMs: number): Promise<Slot | null | "busy"> {
    if (this.closed) return Promise.resolve(null);
    const idle = this.slots.find((s) => !s.call);
    if (idle) return Promise.resolve(this.claim(idle));
    if (this.slots.length < this.maxWorkers) return Promise.resolve(this.claim(this.spawn()));
    return new Promise((resolve) => {
      const leave = (outcome: null | "busy") => {
        this.waiting = this.waiting.filter((w) => w !== wake);
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      const wake = (slot: Slot | null) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(slot);
      };
      const onAbort = () => leave(null);
      const timer = setTimeout(() => leave("busy"), waitMs);
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(wake);
    });
  }

  /** Marks a slot as taken until its call finishes (the placeholder keeps `acquire` from reusing it). */
  private claim(slot: Slot): Slot {
    slot.idleSince = null;
    slot.call = CLAIMED;
    return slot;
  }

  private release(slot: Slot): void {
    slot.call = null;
    const next = this.waiting.shift();
    if (next) return next(this.claim(slot));
    slot.idleSince = performance.now();
  }

  /** Stops workers idle for long: extras after IDLE_RETIRE_MS, the last one after LAST_IDLE_RETIRE_MS. */
  private sweep(): void {
    const now = performance.now();
    for (const slot of [...this.slots]) {
      const idleFor = slot.idleSince === null ? 0 : now - slot.idleSince;
      if (idleFor > (this.slots.length > 1 ? IDLE_RETIRE_MS : LAST_IDLE_RETIRE_MS)) this.remove(slot);
    }
  }

  private spawn(): Slot {
    let markReady!: (ok: boolean) => void;
    const ready = new Promise<boolean>((r) => (markReady = r));
    const slot: Slot = { worker: null, ready, markReady, call: null, idleSince: null };
    this.slots.push(slot);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), IDLE_SWEEP_MS);
      this.sweeper.unref?.();
    }
    void this.start(slot);
    return slot;
  }

  private async start(slot: Slot): Promise<void> {
    const { markReady } = slot;
    let worker: Worker;
    try {
      // `ref: false`: an idle sandbox never keeps the process (a CLI command, a test) alive.
      worker = new Worker(await workerUrl(), { ref: false } as WorkerOptions);
    } catch (err) {
      this.log.error({ err }, "sandbox worker could not be created");
      return markReady(false);
    }
    if (!this.slots.includes(slot)) return worker.terminate();
    slot.worker = worker;
    worker.onmessage = (event: MessageEvent<WorkerToHost>) => this.receive(slot, event.data);
    worker.onerror = (event) => {
      this.log.error({ error: event.message }, "sandbox worker crashed");
      markReady(false);
      slot.call?.finish(failure("the script sandbox crashed"));
      this.remove(slot);
    };
  }

  private receive(slot: Slot, msg: WorkerToHost): void {
    const call = slot.call;
    switch (msg.type) {
      case "ready":
        return slot.markReady(true);
      case "retire":
        return slot.call ? undefined : this.remove(slot);
      case "failed":
        this.log.error({ error: msg.error }, "sandbox worker failed to start");
        return slot.markReady(false);
      case "log":
        if (call?.id === msg.id) call.hooks.log(msg.level, msg.message);
        return;
      case "progress":
        if (call?.id === msg.id) call.hooks.progress(msg.progress, msg.total, msg.message);
        return;
      case "fetched":
        // The worker's clock has its own origin: the span is placed by its duration, ending now.
        if (call?.id === msg.id && call.hooks.span) {
          const f = msg.fetch;
          call.hooks.span(f.method, { "http.request.method": f.method, "server.address": f.host, ...(f.port !== null ? { "server.port": f.port } : {}) }, performance.now() - f.ms)
            .end(f.error ?? (f.status !== null && f.status >= 500 ? String(f.status) : null), f.status !== null ? { "http.response.status_code": f.status } : undefined);
        }
        return;
      case "done":
        if (call?.id !== msg.id) return;
        call.finish(msg.result);
        if (msg.recycle) this.remove(slot);
        else this.release(slot);
    }
  }

  private post(slot: Slot, msg: HostToWorker): void {
    slot.worker?.postMessage(msg);
  }

  /** Terminates a worker and frees its place (a waiting call then gets a fresh worker). */
  private remove(slot: Slot): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    slot.markReady(false);
    slot.worker?.terminate();
    const next = this.waiting.shift();
    if (next && !this.closed) next(this.claim(this.spawn()));
  }
}
