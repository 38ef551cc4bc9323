/**
 * Runs one JSON-RPC request of either world (docs/architecture.md, "MCP request path"): builds its
 * RequestContext, dispatches it, serializes the reply and writes exactly one audit row. The 2025 world
 * reads the session; the 2026-07-28 world reads only this request's `_meta` (stateless: nothing from an
 * earlier request is consulted, so any instance can answer) and decorates results the way that revision
 * requires (`stateless/result.ts`).
 */
import { credentialId } from "../auth/principal";
import { OAuthError } from "../errors";
import { auditRow } from "./audit-row";
import type { McpDeps, RequestContext } from "./context";
import { dispatch } from "./dispatch";
import { refusal, type Guarded, type RouteInput } from "./guard";
import { errorMessage, type RpcId, type RpcRequest } from "./rpc";
import { JsonRpcError, RPC, toRpcError } from "./rpc-errors";
import type { McpService } from "./service";
import type { RequestMeta } from "./stateless/meta";
import { decorateResult, errorStatus } from "./stateless/result";
import { requestSpan } from "./trace";

/** Which world a request belongs to: a 2025 session (or none yet), or a stateless 2026-07-28 request with its `_meta`. */
export type World = { stateless: false; version: string } | { stateless: true; version: string; meta: RequestMeta };

export interface RequestOutcome {
  /** The serialized JSON-RPC response. */
  reply: string;
  /** HTTP status for a JSON answer: 200, or what MCP 2026-07-28 assigns to the error (404, 400). */
  status: number;
  session: RequestContext["session"];
}

/**
 * The abort handle of a running tools/call, created only if someone asks for its signal (an
 * AbortController costs ~3.5 µs, a share of a whole interactive call) or cancels it.
 */
class Flight {
  private controller: AbortController | null = null;
  private cancelled = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort();
    }
    return this.controller.signal;
  }

  abort(): void {
    this.cancelled = true;
    this.controller?.abort();
  }
}

/**
 * Who may cancel a running call (issue 11 #11: keyed by credential, an anonymous caller's credential is
 * just its IP, so anyone behind the same address could cancel anyone's call): the call's own session, or
 * without a session the exact grant or API key. An anonymous call without a session cannot be cancelled
 * by notification (null); disconnecting still aborts it. Ids are JSON-encoded so 1 and "1" stay apart.
 * MCP 2026-07-28 cancels by closing the response stream only (§Cancellation): no key.
 */
export function flightKey(g: Guarded, requestId: RpcId, world: World): string | null {
  if (world.stateless) return null;
  if (g.session) return `session:${g.session.id}|${JSON.stringify(requestId)}`;
  if (g.principal.kind === "anonymous") return null;
  return `${credentialId(g.principal)}|${JSON.stringify(requestId)}`;
}

const errorText = (id: RpcId | null, body: { code: number; message: string; data?: unknown }) => JSON.stringify(errorMessage(id, body));

/** The context of one request; `flight` is the call's abort handle when it can be cancelled by notification. */
export function requestContext(
  deps: McpDeps, service: McpService, g: Guarded, input: RouteInput, world: World,
  notify: RequestContext["notify"] | null, flight: Flight | null = null,
): RequestContext {
  let signal: AbortSignal | undefined;
  const meta = world.stateless ? world.meta : null;
  return {
    deps, service, project: g.project, target: g.target, principal: g.principal,
    session: world.stateless ? null : g.session,
    protocolVersion: world.version,
    stateless: world.stateless,
    clientCapabilities: meta ? meta.clientCapabilities : (g.session?.clientCapabilities ?? {}),
    clientInfo: meta ? meta.clientInfo : (g.session?.clientInfo ?? null),
    logLevel: meta ? meta.logLevel : (g.session?.logLevel ?? "info"),
    traceparent: meta?.traceparent ?? null,
    span: null,
    request: input.request, notify: notify ?? (() => {}), canStream: notify !== null,
    keepOpen: () => input.server?.timeout(input.request, 0),
    // Built on first use: AbortSignal.any is a measurable cost per call and most methods never read it.
    get signal() {
      return (signal ??= flight ? AbortSignal.any([flight.signal, input.request.signal]) : input.request.signal);
    },
    notes: { status: "ok" },
  };
}

/**
 * Writes the request's audit row; never throws (issue 11 #18: a throw here would replace the reply). With
 * durable audit (the default, issue 18) returns what the reply must wait for: the commit of the row's batch.
 */
export function auditRequest(ctx: RequestContext, method: string, ip: string, elapsed: number): Promise<boolean> | undefined {
  const { service } = ctx;
  const deps = { log: ctx.traceparent ? ctx.deps.log.child({ traceparent: ctx.traceparent }) : ctx.deps.log };
  try {
    return service.audit.record(auditRow(ctx, method, ip, elapsed));
  } catch (err) {
    deps.log.error({ err, method: method.slice(0, 100) }, "audit row could not be built; stored without payloads");
    try {
      return service.audit.record(auditRow({ ...ctx, notes: { ...ctx.notes, input: undefined, output: undefined, logs: undefined } }, method, ip, elapsed));
    } catch (again) {
      deps.log.error({ err: again }, "audit row lost");
    }
  }
}

export async function runRequest(
  deps: McpDeps, service: McpService, g: Guarded, input: RouteInput, req: RpcRequest, world: World,
  notify: RequestContext["notify"] | null,
): Promise<RequestOutcome> {
  const started = performance.now();
  const isCall = req.method === "tools/call";
  const key = isCall ? flightKey(g, req.id, world) : null;
  const flight = key !== null ? new Flight() : null;
  if (flight && key !== null) service.inflight.set(key, flight);
  const ctx = requestContext(deps, service, g, input, world, notify, flight);
  // Telemetry off (the default): one null check here and in `finally` (issue 18: the hot path pays nothing).
  const tel = deps.telemetry;
  if (tel) ctx.span = requestSpan(tel, g, input, req, world, started);
  try {
    const result = await dispatch(ctx, req.method, req.params);
    const resultJson = JSON.stringify(world.stateless ? decorateResult(ctx, req.method, result) : result);
    if (isCall) {
      ctx.notes.output = resultJson;
      if ((result as { isError?: boolean }).isError) ctx.notes.status = "error";
    }
    return { reply: `{"jsonrpc":"2.0","id":${JSON.stringify(req.id)},"result":${resultJson}}`, status: 200, session: ctx.session };
  } catch (err) {
    ctx.notes.status = "error";
    if (err instanceof OAuthError) {
      ctx.notes.errorClass = "auth";
      ctx.notes.error = err.message;
      throw err;
    }
    // Trace context from `_meta` (SEP-414) goes on every log line this request writes.
    const body = toRpcError(err, ctx.traceparent ? deps.log.child({ traceparent: ctx.traceparent }) : deps.log);
    ctx.notes.errorClass ??= err instanceof JsonRpcError ? "protocol" : "runtime";
    ctx.notes.error = body.message;
    return { reply: errorText(req.id, body), status: world.stateless ? errorStatus(body.code) : 200, session: ctx.session };
  } finally {
    if (key !== null && service.inflight.get(key) === flight) service.inflight.delete(key);
    const elapsed = performance.now() - started;
    const auditSpan = tel && ctx.span ? tel.start("portico.audit_enqueue", ctx.span, { "portico.audit.durable": deps.config.auditDurability !== "fast" }) : null;
    const committed = auditRequest(ctx, req.method, g.ip, elapsed);
    service.metrics.observe(g.target.channel, req.method, ctx.notes.status, elapsed / 1000);
    try {
      // Durable audit: the reply leaves only once its row is committed (group commit, src/audit/writer.ts); a
      // commit that does not come in time (storage failing) turns the reply into a 503 — never an acknowledgement.
      if (committed && !(await committed)) {
        throw refusal(503, RPC.INTERNAL_ERROR, "Service unavailable: the call could not be recorded in the audit log (storage is failing), so it is not confirmed. Try again shortly.", { "retry-after": "5" });
      }
    } finally {
      // Ended even when the commit fails, so a failed batch still shows in the trace.
      if (tel && ctx.span) {
        tel.end(auditSpan!);
        tel.end(ctx.span, ctx.notes.status === "error" ? (ctx.notes.errorClass ?? "error") : null);
      }
    }
  }
}
