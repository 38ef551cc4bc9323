/**
 * POST on a channel URL (Streamable HTTP §Sending Messages to the Server): one JSON-RPC message, or a
 * batch on protocol 2025-03-26 only (later versions removed batching), at most MAX_BATCH messages, each
 * counted by the rate limits (issue 11 #3). Notifications alone → 202.
 * A request answers JSON, or an SSE stream when a tool call sends progress or log notifications
 * before its result: see `reply.ts`. Every refusal is thrown and rendered by the plugin's onError
 * (`error-response.ts`); errors of one request become its JSON-RPC error reply (`rpc-errors.ts`).
 */
import { credentialId } from "../auth/principal";
import { OAuthError, RateLimitError } from "../errors";
import { auditRow } from "./audit-row";
import type { McpDeps, RequestContext } from "./context";
import { dispatch } from "./dispatch";
import { guard, refusal, type Guarded, type RouteInput } from "./guard";
import { FALLBACK_VERSION } from "./methods/lifecycle";
import { Reply } from "./reply";
import { classify, errorMessage, parseBody, type RpcId, type RpcNotification, type RpcRequest } from "./rpc";
import { JsonRpcError, RPC, toRpcError, type RpcErrorBody } from "./rpc-errors";
import type { McpService } from "./service";

const decoder = new TextDecoder();

/**
 * The body as text, or a JSON-RPC 413 once it passes `max` bytes. Counted while streaming, so a chunked
 * body without Content-Length is refused as soon as it crosses the cap, not after it was buffered whole.
 * Issue 11 #15: Bun's own limit (server.ts) sits far above this cap, so the client reads this 413 instead
 * of a closed connection.
 */
async function readBody(request: Request, max: number): Promise<string> {
  const tooLarge = () => refusal(413, RPC.INVALID_REQUEST, `Payload too large: the limit is ${max} bytes.`);
  const length = request.headers.get("content-length");
  if (length !== null) {
    // HTTP framing holds the body to its declared length, so a declared size within the cap is read whole.
    if (Number(length) > max) throw tooLarge();
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
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  return decoder.decode(Buffer.concat(chunks, size));
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
    throw refusal(415, RPC.INVALID_REQUEST, "Unsupported Media Type: send application/json.");
  }
  const body = await readBody(request, deps.config.maxBodyBytes);
  const g = await guard(deps, service, input);
  const parsed = parseBody(body);
  const version = g.session?.protocolVersion ?? g.versionHeader ?? FALLBACK_VERSION;
  if (parsed.batch && version !== "2025-03-26") {
    throw refusal(400, RPC.INVALID_REQUEST, `Invalid request: JSON-RPC batches are not supported in protocol ${version}.`);
  }
  const requests: RpcRequest[] = [];
  // In message order: an answer already known (an error), or a request still to run.
  const replies: Array<string | RpcRequest> = [];
  let limited: RateLimitError | null = null;
  for (const [i, raw] of parsed.messages.entries()) {
    const m = classify(raw);
    // Issue 11 #3 (batches: "every element counted by the rate limits"): the guard counted the HTTP
    // request, i.e. the first element; each further element takes its own turn. One over the limit is
    // answered with the same error a lone request gets (RATE_LIMITED) and never runs.
    const refused = i > 0 ? overLimit(service, g) : null;
    if (refused) {
      limited = refused;
      if (m.kind === "request") replies.push(errorText(m.message.id, { code: RPC.RATE_LIMITED, message: refused.message }));
      continue;
    }
    if (m.kind === "request") {
      requests.push(m.message);
      replies.push(m.message);
    } else if (m.kind === "notification") onNotification(service, g, m.message);
    // A client's answer to a tool's question (mrtr/ask-over-stream.ts): only on the session that was asked.
    else if (m.kind === "response") {
      if (g.session) service.pending.answer(g.session.id, m.message);
    }
    else if (m.kind === "invalid") replies.push(errorText(m.id, toRpcError(m.error, deps.log)));
  }
  if (parsed.batch && requests.some((r) => r.method === "initialize")) {
    throw refusal(400, RPC.INVALID_REQUEST, "Invalid request: initialize must not be part of a batch.");
  }
  const streamable = !parsed.batch && requests[0]?.method === "tools/call" && (request.headers.get("accept") ?? "").includes("text/event-stream");
  const reply = new Reply(input, g.headers, streamable);
  if (requests.length === 0) {
    if (replies.length === 0) reply.accepted();
    else if (limited) reply.finish(`[${replies.join(",")}]`, 429, limited.headers);
    else reply.finish(parsed.batch ? `[${replies.join(",")}]` : (replies[0] as string), 400);
    return reply.toResponse();
  }
  const run = async (req: RpcRequest): Promise<string> => {
    const r = await handleRequest(deps, service, g, input, req, version, reply.canStream ? reply.notify : null);
    // initialize made a session: its id goes back in the Mcp-Session-Id header (Streamable HTTP §Session Management).
    if (r.session && !g.session) reply.setHeader("mcp-session-id", r.session.id);
    return r.reply;
  };
  const answer = parsed.batch
    ? (async () => {
        const out: string[] = [];
        for (const r of replies) out.push(typeof r === "string" ? r : await run(r));
        return `[${out.join(",")}]`;
      })()
    : run(requests[0]!);
  answer.then(
    (text) => reply.finish(text),
    (err) => reply.fail(err),
  );
  return reply.toResponse();
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
    stateless: false, clientCapabilities: g.session?.clientCapabilities ?? {}, logLevel: g.session?.logLevel ?? "info", traceparent: null,
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
    const body = toRpcError(err, deps.log);
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
