/**
 * POST on a channel URL (Streamable HTTP §Sending Messages to the Server): one JSON-RPC message, or a
 * batch on protocol 2025-03-26 only (later versions removed batching), at most MAX_BATCH messages, each
 * counted by the rate limits (issue 11 #3). Notifications alone → 202.
 * A request answers JSON, or an SSE stream when a tool call sends progress or log notifications
 * before its result: see `reply.ts`. Every refusal is thrown and rendered by the plugin's onError
 * (`error-response.ts`); errors of one request become its JSON-RPC error reply (`rpc-errors.ts`).
 */
import { RateLimitError } from "../errors";
import type { McpDeps } from "./context";
import { guard, refusal, type Guarded, type RouteInput } from "./guard";
import { FALLBACK_VERSION } from "./methods/lifecycle";
import { Reply } from "./reply";
import { classify, errorMessage, parseBody, type RpcId, type RpcNotification, type RpcRequest } from "./rpc";
import { RPC, toRpcError, type RpcErrorBody } from "./rpc-errors";
import { flightKey, runRequest, type World } from "./run-request";
import type { McpService } from "./service";
import { isStatelessRequest } from "./stateless/detect";
import { handleStatelessPost } from "./stateless/post";

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

export async function handlePost(deps: McpDeps, service: McpService, input: RouteInput): Promise<Response> {
  const { request } = input;
  const type = request.headers.get("content-type");
  if (type !== null && !type.toLowerCase().includes("application/json")) {
    throw refusal(415, RPC.INVALID_REQUEST, "Unsupported Media Type: send application/json.");
  }
  const body = await readBody(request, deps.config.maxBodyBytes);
  // Parsed before the guard only to tell the two worlds apart; a body that does not parse is still
  // refused after the credential checks, as before.
  let parsed: ReturnType<typeof parseBody> | null = null;
  let unparsable: unknown = null;
  try {
    parsed = parseBody(body);
  } catch (err) {
    unparsable = err;
  }
  const stateless = parsed !== null && isStatelessRequest(request.headers, parsed);
  const g = await guard(deps, service, input, stateless);
  if (!parsed) throw unparsable;
  if (stateless) return handleStatelessPost(deps, service, input, g, parsed.messages[0]);
  const version = g.session?.protocolVersion ?? g.versionHeader ?? FALLBACK_VERSION;
  const world: World = { stateless: false, version };
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
    } else if (m.kind === "notification") onNotification(service, g, m.message, world);
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
    const r = await runRequest(deps, service, g, input, req, world, reply.canStream ? reply.notify : null);
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

function onNotification(service: McpService, g: Guarded, message: RpcNotification, world: World): void {
  if (message.method !== "notifications/cancelled") return;
  const requestId = message.params?.requestId;
  if (typeof requestId === "string" || typeof requestId === "number") {
    const key = flightKey(g, requestId, world);
    if (key !== null) service.inflight.get(key)?.abort();
  }
}

