/**
 * POST on a channel URL (Streamable HTTP §Sending Messages to the Server): one JSON-RPC message, or a
 * batch on protocol 2025-03-26 only (later versions removed batching), at most MAX_BATCH messages, each
 * counted by the rate limits (issue 11 #3). Notifications alone → 202.
 * A request answers JSON, or an SSE stream when a tool call sends progress or log notifications
 * before its result (the switch happens on the first notification, so plain calls stay cheap).
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { credentialId } from "../auth/principal";
import { JsonRpcError, OAuthError, RateLimitError, RPC } from "../errors";
import { rateLimitHeaders, toJsonRpc } from "../http/errors";
import { auditRow } from "./audit-row";
import type { McpDeps, RequestContext } from "./context";
import { dispatch } from "./dispatch";
import { guard, guardFailure, httpRpcError, RATE_LIMITED, type Guarded, type RouteInput } from "./guard";
import { FALLBACK_VERSION } from "./methods/lifecycle";
import { classify, errorMessage, parseBody, type RpcErrorBody, type RpcId, type RpcNotification, type RpcRequest } from "./rpc";
import type { McpService } from "./service";
import { SseStream } from "./sse";

const decoder = new TextDecoder();

/**
 * The body as text, or a JSON-RPC 413 once it passes `max` bytes. Counted while streaming, so a chunked
 * body without Content-Length is refused as soon as it crosses the cap, not after it was buffered whole.
 * Issue 11 #15: Bun's own limit (server.ts) sits far above this cap, so the client reads this 413 instead
 * of a closed connection.
 */
async function readBody(request: Request, max: number): Promise<string | Response> {
  const tooLarge = () => httpRpcError(413, RPC.INVALID_REQUEST, `Payload too large: the limit is ${max} bytes.`);
  const length = request.headers.get("content-length");
  if (length !== null) {
    // HTTP framing holds the body to its declared length, so a declared size within the cap is read whole.
    if (Number(length) > max) return tooLarge();
    return decoder.decode(await request.arrayBuffer());
  }
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      void reader.cancel().catch(() => {});
      return tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  return decoder.decode(Buffer.concat(chunks, size));
}

/** A response from JSON text: replies are serialized once, and the same text goes to the audit row. */
function json(text: string, headers: Record<string, string>, status = 200): Response {
  return new Response(text, { status, headers: { ...headers, "content-type": "application/json" } });
}

const errorText = (id: RpcId | null, body: RpcErrorBody) => JSON.stringify(errorMessage(id, body));

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

export async function handlePost(deps: McpDeps, service: McpService, input: RouteInput): Promise<Response> {
  const { request } = input;
  const type = request.headers.get("content-type");
  if (type !== null && !type.toLowerCase().includes("application/json")) {
    return httpRpcError(415, RPC.INVALID_REQUEST, "Unsupported Media Type: send application/json.");
  }
  const body = await readBody(request, deps.config.maxBodyBytes);
  if (body instanceof Response) return body;
  const g = await guard(deps, service, input);
  if (g instanceof Response) return g;
  let parsed: { messages: unknown[]; batch: boolean };
  try {
    parsed = parseBody(body);
  } catch (err) {
    return guardFailure(err, g.headers);
  }
  const version = g.session?.protocolVersion ?? g.versionHeader ?? FALLBACK_VERSION;
  if (parsed.batch && version !== "2025-03-26") {
    return httpRpcError(400, RPC.INVALID_REQUEST, `Invalid request: JSON-RPC batches are not supported in protocol ${version}.`, g.headers);
  }
  const accept = request.headers.get("accept") ?? "";
  const streamable = !parsed.batch && accept.includes("text/event-stream");
  const requests: RpcRequest[] = [];
  // In message order: an answer already known (an error), or a request still to run.
  const replies: Array<string | RpcRequest> = [];
  let limited: RateLimitError | null = null;
  for (const [i, raw] of parsed.messages.entries()) {
    const m = classify(raw);
    // Issue 11 #3 (DESIGN: batches "every element counted by the rate limits"): the guard counted the HTTP
    // request, i.e. the first element; each further element takes its own turn. One over the limit is
    // answered with the same error a lone request gets (-32000) and never runs.
    const refusal = i > 0 ? overLimit(service, g) : null;
    if (refusal) {
      limited = refusal;
      if (m.kind === "request") replies.push(errorText(m.message.id, { code: RATE_LIMITED, message: refusal.message }));
      continue;
    }
    if (m.kind === "request") {
      requests.push(m.message);
      replies.push(m.message);
    } else if (m.kind === "notification") onNotification(service, g, m.message);
    else if (m.kind === "invalid") replies.push(errorText(m.id, toJsonRpc(m.error, deps.log)));
  }
  if (parsed.batch && requests.some((r) => r.method === "initialize")) {
    return httpRpcError(400, RPC.INVALID_REQUEST, "Invalid request: initialize must not be part of a batch.", g.headers);
  }
  if (requests.length === 0) {
    if (replies.length === 0) return new Response(null, { status: 202, headers: g.headers });
    if (limited) return json(`[${replies.join(",")}]`, { ...g.headers, ...rateLimitHeaders(limited) }, 429);
    return json(parsed.batch ? `[${replies.join(",")}]` : (replies[0] as string), g.headers, 400);
  }
  let ctxSession = g.session;
  const created = (): Record<string, string> => (ctxSession && !g.session ? { "mcp-session-id": ctxSession.id } : {});
  const run = (req: RpcRequest, notify: RequestContext["notify"] | null) =>
    handleRequest(deps, service, g, input, req, version, notify).then((r) => {
      ctxSession = r.session ?? ctxSession;
      return r.reply;
    });
  try {
    if (!parsed.batch) {
      if (streamable && requests[0]!.method === "tools/call") return await streamingReply(input, g, (notify) => run(requests[0]!, notify), created);
      const reply = await run(requests[0]!, null);
      return json(reply, { ...g.headers, ...created() });
    }
    const out: string[] = [];
    for (const r of replies) out.push(typeof r === "string" ? r : await run(r, null));
    return json(`[${out.join(",")}]`, g.headers);
  } catch (err) {
    return guardFailure(err, g.headers);
  }
}

/** The rate-limit refusal for one more batch element, or null when it may run. */
function overLimit(service: McpService, g: Guarded): RateLimitError | null {
  try {
    service.limits.hit(g.project.id, g.principal);
    return null;
  } catch (err) {
    if (err instanceof RateLimitError) return err;
    throw err;
  }
}

/** Runs one request, answering JSON unless it notifies first, in which case the answer becomes SSE. */
function streamingReply(
  input: RouteInput,
  g: Guarded,
  run: (notify: RequestContext["notify"]) => Promise<string>,
  created: () => Record<string, string>,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    let sse: SseStream | null = null;
    const notify = (message: JSONRPCMessage) => {
      if (!sse) {
        sse = new SseStream();
        resolve(sse.response(input.request, input.server, { ...g.headers, ...created() }));
      }
      sse.send(message);
    };
    run(notify).then(
      (reply) => {
        if (!sse) return resolve(json(reply, { ...g.headers, ...created() }));
        sse.send(reply);
        sse.close();
      },
      (err) => (sse ? sse.close() : reject(err)),
    );
  });
}

/**
 * Who may cancel a running call (issue 11 #11: keyed by credential, an anonymous caller's credential is
 * just its IP, so anyone behind the same address could cancel anyone's call): the call's own session, or
 * without a session the exact grant or API key. An anonymous call without a session cannot be cancelled
 * by notification (null); disconnecting still aborts it. Ids are JSON-encoded so 1 and "1" stay apart.
 */
function flightKey(g: Guarded, requestId: RpcId): string | null {
  if (g.session) return `session:${g.session.id}|${JSON.stringify(requestId)}`;
  if (g.principal.kind === "anonymous") return null;
  return `${credentialId(g.principal)}|${JSON.stringify(requestId)}`;
}

function onNotification(service: McpService, g: Guarded, message: RpcNotification): void {
  if (message.method !== "notifications/cancelled") return;
  const requestId = message.params?.requestId;
  if (typeof requestId === "string" || typeof requestId === "number") {
    const key = flightKey(g, requestId);
    if (key !== null) service.inflight.get(key)?.abort();
  }
}

async function handleRequest(
  deps: McpDeps, service: McpService, g: Guarded, input: RouteInput, req: RpcRequest, version: string,
  notify: RequestContext["notify"] | null,
): Promise<{ reply: string; session: RequestContext["session"] }> {
  const started = performance.now();
  const isCall = req.method === "tools/call";
  const flight = isCall ? new Flight() : null;
  const key = isCall ? flightKey(g, req.id) : null;
  if (flight && key !== null) service.inflight.set(key, flight);
  let signal: AbortSignal | undefined;
  const ctx: RequestContext = {
    deps, service, project: g.project, target: g.target, principal: g.principal, session: g.session, protocolVersion: version,
    request: input.request, notify: notify ?? (() => {}), canStream: notify !== null,
    keepOpen: () => input.server?.timeout(input.request, 0),
    // Built on first use: AbortSignal.any is a measurable cost per call and most methods never read it.
    get signal() {
      return (signal ??= flight ? AbortSignal.any([flight.signal, input.request.signal]) : input.request.signal);
    },
    notes: { status: "ok" },
  };
  try {
    const result = await dispatch(ctx, req.method, req.params);
    const resultJson = JSON.stringify(result);
    if (isCall) {
      ctx.notes.output = resultJson;
      if ((result as { isError?: boolean }).isError) ctx.notes.status = "error";
    }
    return { reply: `{"jsonrpc":"2.0","id":${JSON.stringify(req.id)},"result":${resultJson}}`, session: ctx.session };
  } catch (err) {
    ctx.notes.status = "error";
    if (err instanceof OAuthError) {
      ctx.notes.errorClass = "auth";
      ctx.notes.error = err.message;
      throw err;
    }
    const body = toJsonRpc(err, deps.log);
    ctx.notes.errorClass ??= err instanceof JsonRpcError ? "protocol" : "runtime";
    ctx.notes.error = body.message;
    return { reply: errorText(req.id, body), session: ctx.session };
  } finally {
    if (key !== null && service.inflight.get(key) === flight) service.inflight.delete(key);
    const elapsed = performance.now() - started;
    // Issue 11 #18: the audit path runs in a finally, so a throw here would replace the reply (an HTML
    // 500 on an MCP URL) and lose the row. auditRow never throws for payloads; anything else is logged
    // and the row is written without its payloads.
    try {
      service.audit.record(auditRow(ctx, req.method, g.ip, elapsed));
    } catch (err) {
      deps.log.error({ err, method: req.method.slice(0, 100) }, "audit row could not be built; stored without payloads");
      try {
        service.audit.record(auditRow({ ...ctx, notes: { ...ctx.notes, input: undefined, output: undefined, logs: undefined } }, req.method, g.ip, elapsed));
      } catch (again) {
        deps.log.error({ err: again }, "audit row lost");
      }
    }
    service.metrics.observe(g.target.channel, req.method, ctx.notes.status, elapsed / 1000);
  }
}
