/**
 * The globals a script sees, built from host functions (no JavaScript prelude to parse: a 3 KB prelude
 * cost ≈ 400 µs per context, more than the context itself; the context is now built once per worker and
 * rewound per call, snapshot.ts, so only `prepare` below — `Math.random` and the per-call setup — is JavaScript): `console`, `fetch` returning a minimal
 * Response-like object, and the `env` argument (`secrets`, `log`, `progress`, `client`, and the questions
 * `ask`, `confirm`, `sample`, `roots` — ask-bridge.ts).
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle } from "quickjs-emscripten-core";
import type { AskKind } from "./ask-bridge";
import type { Failure } from "./classify";
import type { LogLevel } from "./protocol";

const MAX_LOG_LINES = 200;
const MAX_LOG_CHARS = 8192;
const LOG_LEVELS = new Set<string>(["debug", "info", "notice", "warning", "error"]);
const CONSOLE_LEVELS: Record<string, LogLevel> = { log: "info", info: "info", debug: "debug", warn: "warning", error: "error" };

/** What the bridge needs from the running call. */
export interface BridgeHost {
  log(level: LogLevel, message: string): void;
  progress(progress: number, total?: number, message?: string): void;
  /** Starts a fetch; settles `deferred` later with a Response-like object or a `FetchError`. */
  fetch(request: unknown, deferred: QuickJSDeferredPromise): void;
  /** A question to the client: settles `deferred` with the answer, or leaves it pending and ends the run. */
  ask(kind: AskKind, args: unknown[], deferred: QuickJSDeferredPromise): void;
}

/** `hooks` with caps for the audit row's sake: 200 log lines of at most 8 KB, then one marker line. */
export function cappedHooks(hooks: Omit<BridgeHost, "fetch" | "ask">): Omit<BridgeHost, "fetch" | "ask"> {
  let lines = 0;
  return {
    log(level, message) {
      lines++;
      if (lines <= MAX_LOG_LINES) hooks.log(level, message.slice(0, MAX_LOG_CHARS));
      else if (lines === MAX_LOG_LINES + 1) hooks.log("warning", "log limit reached: further lines dropped");
    },
    progress: (progress, total, message) => hooks.progress(progress, total, message?.slice(0, MAX_LOG_CHARS)),
  };
}

/** Handles to builtins the engine calls on every call, looked up once per context. */
export interface Builtins {
  parse: QuickJSHandle;
  stringify: QuickJSHandle;
  dispose(): void;
}

export function builtins(vm: QuickJSContext): Builtins {
  const json = vm.getProp(vm.global, "JSON");
  const parse = vm.getProp(json, "parse");
  const stringify = vm.getProp(json, "stringify");
  json.dispose();
  return { parse, stringify, dispose: () => [parse, stringify].forEach((h) => h.dispose()) };
}

/** One log line from console/env.log arguments: strings as they are, other values as JSON. */
function show(vm: QuickJSContext, args: QuickJSHandle[]): string {
  return args
    .map((h) => {
      if (vm.typeof(h) === "string") return vm.getString(h);
      const v = vm.dump(h) as unknown;
      if (v && typeof v === "object" && "message" in v && "name" in v) return `${String(v.name)}: ${String(v.message)}`;
      return typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
    })
    .join(" ");
}

/**
 * Installs `console` and `fetch` on the context's global object. `console` is built on first use (an
 * accessor that replaces itself): most handlers never log, and five host functions per context are a
 * measurable share of a trivial call.
 */
export function installGlobals(vm: QuickJSContext, host: () => BridgeHost | null): void {
  vm.defineProp(vm.global, "console", {
    configurable: true,
    get: () => {
      const console = vm.newObject();
      for (const [name, level] of Object.entries(CONSOLE_LEVELS)) {
        vm.newFunction(name, (...args) => host()?.log(level, show(vm, args))).consume((f) => vm.setProp(console, name, f));
      }
      vm.defineProp(vm.global, "console", { value: console, configurable: true });
      return console;
    },
  });
  vm.newFunction("fetch", (url, init) => {
    const deferred = vm.newPromise();
    const request = { url: url ? show(vm, [url]) : "", ...(init && vm.typeof(init) === "object" ? (vm.dump(init) as object) : {}) };
    host()?.fetch(request, deferred);
    return deferred.handle;
  }).consume((f) => vm.setProp(vm.global, "fetch", f));
}

/**
 * The `env` argument's functions, built with the context: `log(message)` or `log(level, message)` and
 * `progress(n, total?, message?)`. `prepareCall` adds the call's secrets and freezes it.
 */
export function newEnv(vm: QuickJSContext, host: () => BridgeHost | null): QuickJSHandle {
  const env = vm.newObject();
  vm.newFunction("log", (...args) => {
    const first = args[0] && vm.typeof(args[0]) === "string" ? vm.getString(args[0]) : "";
    if (args.length === 2 && LOG_LEVELS.has(first)) host()?.log(first as LogLevel, show(vm, [args[1]!]));
    else host()?.log("info", show(vm, args));
  }).consume((f) => vm.setProp(env, "log", f));
  vm.newFunction("progress", (progress, total, message) => {
    const p = progress ? Number(vm.dump(progress)) : NaN;
    const t = total && vm.typeof(total) === "number" ? vm.getNumber(total) : undefined;
    if (Number.isFinite(p)) host()?.progress(p, t, message && vm.typeof(message) !== "undefined" ? show(vm, [message]) : undefined);
  }).consume((f) => vm.setProp(env, "progress", f));
  for (const kind of ["ask", "confirm", "sample", "roots"] as const) {
    vm.newFunction(kind, (...args) => {
      const deferred = vm.newPromise();
      const h = host();
      if (h) h.ask(kind, args.map((a) => vm.dump(a) as unknown), deferred);
      return deferred.handle;
    }).consume((f) => vm.setProp(env, kind, f));
  }
  return env;
}

/**
 * Run once per worker in the pristine context, before the snapshot (snapshot.ts), so what it captures is
 * the original `JSON.parse`, `Object.freeze` and `Math.imul`. It replaces `Math.random` — QuickJS seeds its
 * own generator when the context is made, so a context restored for every call would repeat its numbers —
 * with xoshiro128** (Blackman & Vigna; two draws for 53 bits), and returns `prepare(env, json)`: with the
 * call's `[input, secrets, capabilities, seed]` as one JSON text it reseeds `Math.random`, gives `env` its
 * frozen `secrets` and `client.capabilities`, freezes `env` and returns the input. One host crossing per
 * call instead of fifteen (issue 19), made before any of the script runs.
 */
const PREPARE_SOURCE = `(() => {
  const parse = JSON.parse, freeze = Object.freeze, imul = Math.imul;
  let a = 1, b = 0, c = 0, d = 0;
  const next = () => {
    const x = imul(b, 5), y = imul((x << 7) | (x >>> 25), 9), t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
    return y >>> 0;
  };
  Object.defineProperty(Math, "random", { value: { random() { return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992; } }.random, writable: true, configurable: true, enumerable: false });
  return (env, json) => {
    const x = parse(json), seed = x[3];
    a = seed[0] | 0; b = seed[1] | 0; c = seed[2] | 0; d = seed[3] | 0;
    if ((a | b | c | d) === 0) a = 1;
    env.secrets = freeze(x[1]);
    env.client = freeze({ capabilities: freeze(x[2]) });
    freeze(env);
    return x[0];
  };
})()`;

/** Evaluates PREPARE_SOURCE in a fresh context: replaces `Math.random`, returns `prepare`. */
export function installPrepare(vm: QuickJSContext): QuickJSHandle {
  return vm.unwrapResult(vm.evalCode(PREPARE_SOURCE, "portico:prepare.js"));
}

/** Prepares a call (see PREPARE_SOURCE): reseeds `Math.random`, seals `env`, returns the input as a QuickJS value. */
export function prepareCall(vm: QuickJSContext, prepare: QuickJSHandle, env: QuickJSHandle, input: unknown, secrets: Record<string, string>, capabilities: Record<string, unknown>): QuickJSHandle {
  const seed = [...crypto.getRandomValues(new Uint32Array(4))];
  const json = `[${JSON.stringify(input)},${JSON.stringify(secrets)},${JSON.stringify(capabilities)},[${seed.join(",")}]]`;
  return vm.newString(json).consume((s) => vm.unwrapResult(vm.callFunction(prepare, vm.undefined, env, s)));
}

/** A fetch response as the script sees it: `status`, `ok`, `url`, `headers.get/has`, `text()`, `json()`. */
export function newResponse(vm: QuickJSContext, b: Builtins, res: { status: number; url: string; headers: [string, string][]; body: string }): QuickJSHandle {
  const obj = vm.newObject();
  vm.newNumber(res.status).consume((h) => vm.setProp(obj, "status", h));
  vm.setProp(obj, "ok", res.status >= 200 && res.status < 300 ? vm.true : vm.false);
  vm.newString(res.url).consume((h) => vm.setProp(obj, "url", h));
  const headers = new Map(res.headers.map(([k, v]) => [k.toLowerCase(), v]));
  const headerName = (h: QuickJSHandle | undefined) => (h ? show(vm, [h]).toLowerCase() : "");
  vm.newObject().consume((hs) => {
    vm.newFunction("get", (name) => {
      const v = headers.get(headerName(name));
      return v === undefined ? vm.null : vm.newString(v);
    }).consume((f) => vm.setProp(hs, "get", f));
    vm.newFunction("has", (name) => (headers.has(headerName(name)) ? vm.true : vm.false)).consume((f) => vm.setProp(hs, "has", f));
    vm.setProp(obj, "headers", hs);
  });
  const settle = (make: () => { value?: QuickJSHandle; error?: QuickJSHandle }) => {
    const d = vm.newPromise();
    const r = make();
    if (r.error) r.error.consume((e) => d.reject(e));
    else r.value!.consume((v) => d.resolve(v));
    return d.handle;
  };
  vm.newFunction("text", () => settle(() => ({ value: vm.newString(res.body) }))).consume((f) => vm.setProp(obj, "text", f));
  vm.newFunction("json", () => settle(() => vm.newString(res.body).consume((s) => vm.callFunction(b.parse, vm.undefined, s)))).consume((f) =>
    vm.setProp(obj, "json", f),
  );
  return obj;
}

/** A thrown QuickJS value as a Failure of `stage` (disposes the handle). */
export function dumpFailure(vm: QuickJSContext, stage: Failure["stage"], handle: QuickJSHandle): Failure {
  const dumped = handle.consume((h) => vm.dump(h)) as { name?: unknown; message?: unknown } | null;
  if (dumped && typeof dumped === "object" && "message" in dumped) return { stage, name: String(dumped.name ?? "Error"), message: String(dumped.message) };
  return { stage, name: "Error", message: `threw ${JSON.stringify(dumped) ?? String(dumped)}` };
}

/** The handler's return value as plain JSON, or a `result`-stage failure (function, cycle, BigInt…). */
export function toJsonValue(vm: QuickJSContext, b: Builtins, value: QuickJSHandle): { value: unknown } | { failure: Failure } {
  const type = vm.typeof(value);
  if (type === "undefined") return { value: undefined };
  if (type === "function" || type === "symbol" || type === "bigint") {
    return { failure: { stage: "result", name: "TypeError", message: `the handler returned a ${type}, not a JSON value` } };
  }
  const json = vm.callFunction(b.stringify, vm.undefined, value);
  if (json.error) return { failure: dumpFailure(vm, "result", json.error) };
  return json.value.consume((s) => ({ value: JSON.parse(vm.getString(s)) }));
}
