/**
 * The QuickJS engine inside one sandbox worker: one wasm module and one runtime + context, rewound to its
 * snapshot after every call (snapshot.ts), so each call runs in a context no earlier call touched.
 *
 * Limits (docs/architecture.md: Measured facts): `setMemoryLimit` is not a hard cap in this build (its allocation
 * accounting misses most allocations) and the interrupt handler can go seconds between checks in
 * loops of native calls such as `Array.prototype.fill`. So memory is capped where it cannot be
 * bypassed — growing the wasm memory goes through `WebAssembly.Memory#grow`, which we wrap to refuse
 * growth past the call's budget (malloc then fails and QuickJS throws "out of memory") — and the time
 * limit has a second, host-side backstop in `pool.ts` that terminates the worker. Wasm memory never
 * shrinks, so after a call that grew the heap (or ended abnormally) the worker asks to be recycled.
 */
import variant from "@jitl/quickjs-singlefile-mjs-release-sync";
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";
import { AskError, buildQuestion, findAnswer, MAX_QUESTIONS, scriptValue, type AskKind } from "./ask-bridge";
import { builtins, cappedHooks, dumpFailure, installGlobals, installPrepare, newEnv, newResponse, prepareCall, toJsonValue, type BridgeHost, type Builtins } from "./bridge";
import { classify, type Failure } from "./classify";
import { bridgeFetch, FETCH_MAX_PER_CALL, SandboxFetchError } from "./fetch-bridge";
import type { FetchTrace, SandboxJob, SandboxResult } from "./protocol";
import { MemorySnapshot } from "./snapshot";
import type { InputRequest } from "../types";

const MIB = 1024 * 1024;
/**
 * Heap growth beyond the fresh module's size after which the worker is recycled to return memory. It
 * also bounds how far a small `memoryMb` can be exceeded: heap freed by an earlier call is reused
 * without growing, so a call may use up to max(memoryMb, this).
 */
const RECYCLE_GROWTH = 24 * MIB;
/** Budget while no call runs (building the context at load). */
const IDLE_BUDGET = 32 * MIB;
const MAX_STACK_BYTES = 256 * 1024;

/** Where a call's log lines and progress go (the worker forwards them to the host). */
export type CallHooks = Omit<BridgeHost, "fetch" | "ask"> & { fetched?: (t: FetchTrace) => void };

/** `input`: the script asked a question the job has no answer for — the run ends there (ask-bridge.ts). */
type StopReason = "timeout" | "memory" | "cancelled" | "input";

/** Per-call state the host functions and the interrupt handler read. */
interface CallState {
  job: SandboxJob;
  hooks: CallHooks;
  /** Reports each fetch of a traced job (telemetry on), else undefined. */
  fetched: ((t: FetchTrace) => void) | undefined;
  /** `performance.now()` when the time limit runs out: a duration, so wall-clock jumps cannot stretch or cut it. */
  deadline: number;
  stop: StopReason | null;
  memoryHit: boolean;
  fetches: number;
  /** Created with the first fetch: most calls never need it. */
  aborter: AbortController | null;
  /** Wakes an awaiting call at its deadline; set only once the call awaits something. */
  timer: ReturnType<typeof setTimeout> | null;
  wake: () => void;
  /** Questions asked so far in this run (numbering the keys) and those without an answer, by key. */
  questions: number;
  unanswered: Record<string, InputRequest>;
  /** Ends the run once the script has asked everything it asks in the same turn (`Promise.all`). */
  inputTimer: ReturnType<typeof setTimeout> | null;
}

interface Fresh {
  rt: QuickJSRuntime;
  vm: QuickJSContext;
  b: Builtins;
  /** The handler's second argument, prepared with the context; secrets are added per call. */
  env: QuickJSHandle;
  /** Seeds `Math.random`, seals `env` and parses the input, once per call (bridge.ts: PREPARE_SOURCE). */
  prepare: QuickJSHandle;
}

/** Handles quickjs-emscripten creates on first use and caches on the context: created in a call, they would point into rewound memory. */
const LAZY_HANDLES = ["_BigInt", "_Symbol", "_SymbolIterator", "_SymbolAsyncIterator"] as const;

type Step = { value: QuickJSHandle } | { failure: Failure };

export class SandboxEngine {
  private current: CallState | null = null;
  private budget: number;
  /** The one context every call runs in, rewound to `snapshot` after each (snapshot.ts). */
  private readonly fresh: Fresh;
  private readonly snapshot: MemorySnapshot;
  /** A call ran since the last restore. */
  private spent = false;

  private constructor(
    private readonly module: QuickJSWASMModule,
    private readonly memory: WebAssembly.Memory,
    private readonly baseBytes: number,
  ) {
    this.budget = baseBytes + IDLE_BUDGET;
    const grow = memory.grow.bind(memory);
    // Emscripten's heap resize calls `wasmMemory.grow` from JS: the one path to more memory.
    Object.defineProperty(memory, "grow", {
      value: (pages: number) => {
        if (memory.buffer.byteLength + pages * 65536 > this.budget) {
          if (this.current) this.current.memoryHit = true;
          throw new RangeError("sandbox memory budget exceeded");
        }
        return grow(pages);
      },
    });
    this.fresh = this.createContext();
    this.snapshot = MemorySnapshot.take(memory, this.fresh.rt);
  }

  /** Loads the wasm module (≈ 70–120 ms), builds the context and takes its snapshot. */
  static async load(): Promise<SandboxEngine> {
    const module = await newQuickJSWASMModuleFromVariant(variant);
    const memory = module.getWasmMemory();
    return new SandboxEngine(module, memory, memory.buffer.byteLength);
  }

  /**
   * Rewinds the context to its snapshot after a call, once its result was sent (≈ 3 µs). False when that
   * failed: the module can no longer be trusted.
   */
  tidy(): boolean {
    if (!this.spent) return true;
    try {
      this.snapshot.restore();
      const vm = this.fresh.vm as unknown as Record<string, unknown>;
      for (const key of LAZY_HANDLES) vm[key] = undefined;
      this.spent = false;
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the running call (the client cancelled). */
  cancel(): void {
    if (this.current) this.stopCall(this.current, "cancelled");
  }

  /**
   * Runs one call in a fresh context. `recycle` says the worker should be replaced afterwards (a limit
   * was hit, or the heap grew); otherwise call `tidy()` once the result is on its way.
   */
  async run(job: SandboxJob, hooks: CallHooks): Promise<{ result: SandboxResult; recycle: boolean }> {
    // A call always starts from the snapshot; the worker tidies after each call, this is the backstop.
    if (this.spent && !this.tidy()) return { result: { ok: false, errorClass: "runtime", error: "the script sandbox is restarting" }, recycle: true };
    const fresh = this.fresh;
    this.spent = true;
    let wake!: () => void;
    const woken = new Promise<null>((r) => (wake = () => r(null)));
    const state: CallState = {
      job,
      hooks: cappedHooks(hooks),
      fetched: job.traced ? hooks.fetched : undefined,
      deadline: performance.now() + job.timeoutMs,
      stop: null,
      memoryHit: false,
      fetches: 0,
      aborter: null,
      timer: null,
      wake,
      questions: 0,
      unanswered: {},
      inputTimer: null,
    };
    this.current = state;
    this.budget = this.baseBytes + job.memoryMb * MIB;
    let failure: Failure | null = null;
    let value: unknown;
    try {
      const outcome = await this.execute(fresh, state, woken);
      if ("failure" in outcome) failure = outcome.failure;
      else value = outcome.value;
    } catch {
      // A wasm trap or a handle error: the module may be damaged, so it is replaced.
      failure = { stage: "engine", name: "InternalError", message: "sandbox failure" };
    } finally {
      if (state.timer) clearTimeout(state.timer);
      if (state.inputTimer) clearTimeout(state.inputTimer);
      state.aborter?.abort();
      this.current = null;
      this.budget = this.baseBytes + IDLE_BUDGET;
    }
    if (state.memoryHit) state.stop = "memory";
    // A question without an answer ends the run as "input required" — also when the script did not await
    // it and returned or threw (the question stands) — unless a limit or a cancel stopped it first.
    const asked = Object.keys(state.unanswered).length > 0 && (state.stop === null || state.stop === "input") && failure?.stage !== "engine";
    const result: SandboxResult = asked ? { ok: true, inputRequired: state.unanswered } : classify(failure, state.stop === "input" ? null : state.stop, job, value);
    // Stopping for input is an orderly end: the context is rewound as usual and the worker stays.
    const abnormal = state.stop !== null && state.stop !== "input";
    const recycle = abnormal || failure?.stage === "engine" || this.memory.buffer.byteLength > this.baseBytes + RECYCLE_GROWTH;
    return { result, recycle };
  }

  private async execute(fresh: Fresh, state: CallState, woken: Promise<null>): Promise<{ value: unknown } | { failure: Failure }> {
    const { vm, b } = fresh;
    const { job } = state;
    // Before any of the script runs: env is sealed and frozen before its module's top level can touch anything.
    const input = prepareCall(vm, fresh.prepare, fresh.env, job.input, job.secrets, job.clientCapabilities ?? {});
    const evaluated = vm.evalCode(job.script, "tool.js", { type: "module" });
    if (evaluated.error) return { failure: dumpFailure(vm, "load", evaluated.error) };
    // A module with top-level await evaluates to a promise of its namespace.
    const ns = await this.settle(fresh, state, evaluated.value, woken, "load");
    if ("failure" in ns) return ns;
    const handler = ns.value.consume((n) => vm.getProp(n, "default"));
    if (vm.typeof(handler) !== "function") {
      handler.dispose();
      return { failure: { stage: "export", name: "TypeError", message: "the script must export a default function: export default async (input, env) => result" } };
    }
    const called = vm.callFunction(handler, vm.undefined, input, fresh.env);
    handler.dispose();
    input.dispose();
    if (called.error) return { failure: dumpFailure(vm, "call", called.error) };
    const returned = await this.settle(fresh, state, called.value, woken, "call");
    if ("failure" in returned) return returned;
    return returned.value.consume((v) => toJsonValue(vm, b, v));
  }

  /** Awaits a QuickJS value that may be a promise, pumping jobs; stops early when the call is stopped. */
  private async settle(fresh: Fresh, state: CallState, handle: QuickJSHandle, woken: Promise<null>, stage: Failure["stage"]): Promise<Step> {
    const { vm, rt } = fresh;
    this.pump(rt, state);
    if (state.stop) {
      handle.dispose();
      return { failure: { stage, name: "InternalError", message: "interrupted" } };
    }
    if (vm.typeof(handle) !== "object") return { value: handle };
    const now = vm.getPromiseState(handle);
    if (now.type === "fulfilled") {
      if (now.notAPromise) return { value: handle };
      handle.dispose();
      return { value: now.value };
    }
    if (now.type === "rejected") {
      handle.dispose();
      return { failure: dumpFailure(vm, stage, now.error) };
    }
    const settled = vm.resolvePromise(handle);
    handle.dispose();
    state.timer ??= setTimeout(() => this.stopCall(state, "timeout"), Math.max(0, state.deadline - performance.now()));
    const done = await Promise.race([settled, woken]);
    if (done === null || state.stop) {
      void settled.then((r) => (r.error ?? r.value)?.dispose(), () => undefined);
      return { failure: { stage, name: "InternalError", message: "interrupted" } };
    }
    if (done.error) return { failure: dumpFailure(vm, stage, done.error) };
    return { value: done.value };
  }

  /** Runs pending promise jobs; an error escaping them (an uncatchable interrupt) ends the call. */
  private pump(rt: QuickJSRuntime, state: CallState): void {
    const res = rt.executePendingJobs();
    if (res.error) {
      res.error.dispose();
      this.stopCall(state, state.memoryHit ? "memory" : "timeout");
    }
  }

  private stopCall(state: CallState, reason: StopReason): void {
    state.stop ??= reason;
    state.aborter?.abort();
    state.wake();
  }

  private createContext(): Fresh {
    const rt = this.module.newRuntime();
    rt.setMaxStackSize(MAX_STACK_BYTES);
    rt.setInterruptHandler(() => {
      const s = this.current;
      if (!s) return false;
      if (s.memoryHit) s.stop ??= "memory";
      else if (performance.now() > s.deadline) s.stop ??= "timeout";
      return s.stop !== null;
    });
    const vm = rt.newContext();
    const host = () => (this.current ? this.bridgeHost(fresh, this.current) : null);
    const fresh: Fresh = { rt, vm, b: builtins(vm), env: newEnv(vm, host), prepare: installPrepare(vm) };
    installGlobals(vm, host);
    // Handles the context caches on first use, created now so they live in the snapshot.
    void [vm.global, vm.undefined, vm.null, vm.true, vm.false];
    return fresh;
  }

  private bridgeHost(fresh: Fresh, s: CallState): BridgeHost {
    return {
      ...s.hooks,
      fetch: (request, deferred) => this.startFetch(fresh, s, request, deferred),
      ask: (kind, args, deferred) => this.ask(fresh, s, kind, args, deferred),
    };
  }

  /**
   * A question from the script: answered at once from the job's answers, or left pending forever while
   * the run is ended on the next macrotask — after every question the script asks in the same turn
   * (`Promise.all([env.ask(…), env.ask(…)])`) has been collected. A pending promise cannot be caught, so
   * a script cannot swallow the stop and go on with side effects; the interrupt handler stops any code
   * still running.
   */
  private ask(fresh: Fresh, s: CallState, kind: AskKind, args: unknown[], deferred: QuickJSDeferredPromise): void {
    const { vm, b } = fresh;
    let question: ReturnType<typeof buildQuestion>;
    try {
      if (++s.questions > MAX_QUESTIONS) throw new AskError(`a script may ask at most ${MAX_QUESTIONS} questions in one call`);
      question = buildQuestion(kind, args, s.questions);
    } catch (err) {
      const message = err instanceof AskError ? err.message : "invalid question";
      vm.newError({ name: "TypeError", message }).consume((h) => deferred.reject(h));
      return;
    }
    const answer = findAnswer(s.job.answers ?? {}, question.key, question.request);
    if (answer === undefined) {
      s.unanswered[question.key] = question.request;
      s.inputTimer ??= setTimeout(() => this.stopCall(s, "input"), 0);
      return;
    }
    vm.newString(JSON.stringify(scriptValue(kind, answer)))
      .consume((json) => vm.unwrapResult(vm.callFunction(b.parse, vm.undefined, json)))
      .consume((h) => deferred.resolve(h));
  }

  private startFetch(fresh: Fresh, s: CallState, request: unknown, deferred: QuickJSDeferredPromise): void {
    const { vm, rt, b } = fresh;
    const settle = (fn: () => void) => {
      if (this.current !== s || !deferred.alive) return;
      fn();
      deferred.dispose();
      this.pump(rt, s);
    };
    const attempt =
      ++s.fetches > FETCH_MAX_PER_CALL
        ? Promise.reject(new SandboxFetchError(`more than ${FETCH_MAX_PER_CALL} fetches in one call`))
        : bridgeFetch(request, s.job, (s.aborter ??= new AbortController()).signal, s.deadline - performance.now(), s.fetched);
    attempt.then(
      (res) => settle(() => newResponse(vm, b, res).consume((h) => deferred.resolve(h))),
      (err) =>
        settle(() => {
          const message = err instanceof SandboxFetchError ? err.message : "fetch failed";
          vm.newError({ name: "FetchError", message }).consume((h) => deferred.reject(h));
        }),
    );
  }
}
