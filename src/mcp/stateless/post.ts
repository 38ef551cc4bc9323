/**
 * A POST in the MCP 2026-07-28 world (§Streamable HTTP, SEP-2575): one request, served from nothing but
 * itself — its credential (already checked by the guard), its channel URL and its `_meta`. No session is
 * read or made, so any instance (and a restarted one) answers it the same way. Checks, in the order the
 * conformance suite pins them: `_meta` shape (-32602), MCP-Protocol-Version header vs `_meta` (-32020),
 * version spoken (-32022), Mcp-Method / Mcp-Name (-32020); each error echoes the request id with its HTTP
 * status. `subscriptions/listen` opens a stream (`listen.ts`); everything else runs like a 2025 request
 * and is decorated by `result.ts`.
 */
import type { McpDeps } from "../context";
import { refusal, unsupportedVersion, type Guarded, type RouteInput } from "../guard";
import { Reply } from "../reply";
import { classify, errorMessage, type RpcRequest } from "../rpc";
import { JsonRpcError, RPC, toRpcError } from "../rpc-errors";
import { auditRequest, requestContext, runRequest } from "../run-request";
import type { McpService } from "../service";
import { checkStandardHeaders } from "./headers";
import { openListen } from "./listen";
import { readMeta, STATELESS_VERSION, type RequestMeta } from "./meta";

const mismatch = (why: string) => new JsonRpcError(RPC.HEADER_MISMATCH, `Header mismatch: ${why}`, undefined, 400);

/** The request's `_meta`, after every check that does not need the method's handler. */
function checkRequest(headers: Headers, req: RpcRequest): RequestMeta {
  const meta = readMeta(req.params);
  const header = headers.get("mcp-protocol-version");
  if (header === null) throw mismatch("the MCP-Protocol-Version header is required and must equal _meta's protocol version.");
  if (header.trim() !== meta.protocolVersion) {
    throw mismatch(`MCP-Protocol-Version "${header.trim().slice(0, 40)}" does not match _meta's protocol version "${meta.protocolVersion.slice(0, 40)}".`);
  }
  if (meta.protocolVersion !== STATELESS_VERSION) throw unsupportedVersion(meta.protocolVersion);
  checkStandardHeaders(headers, req.method, req.params);
  return meta;
}

/** A request refused before it ran (bad `_meta`, headers, version) still gets its audit row, as a protocol error. */
function auditRefusal(deps: McpDeps, service: McpService, input: RouteInput, g: Guarded, method: string, err: JsonRpcError): void {
  const version = input.request.headers.get("mcp-protocol-version")?.trim().slice(0, 40) || STATELESS_VERSION;
  const meta: RequestMeta = { protocolVersion: version, clientCapabilities: {}, clientInfo: null, logLevel: null, traceparent: null };
  const ctx = requestContext(deps, service, g, input, { stateless: true, version, meta }, null);
  ctx.notes = { status: "error", errorClass: "protocol", error: err.message };
  auditRequest(ctx, method, g.ip, 0);
}

export async function handleStatelessPost(deps: McpDeps, service: McpService, input: RouteInput, g: Guarded, raw: unknown): Promise<Response> {
  const m = classify(raw);
  if (m.kind === "response") throw refusal(400, RPC.INVALID_REQUEST, "Invalid request: MCP 2026-07-28 clients never send responses (answers go in inputResponses on a retry).");
  // MCP 2026-07-28 defines no client notifications over HTTP; one that arrives is accepted and ignored.
  if (m.kind === "notification") return new Response(null, { status: 202, headers: g.headers });
  if (m.kind === "invalid") return Response.json(errorMessage(m.id, toRpcError(m.error, deps.log)), { status: 400, headers: g.headers });
  const req = m.message;
  let meta: RequestMeta;
  try {
    meta = checkRequest(input.request.headers, req);
  } catch (err) {
    if (!(err instanceof JsonRpcError)) throw err;
    auditRefusal(deps, service, input, g, req.method, err);
    return Response.json(errorMessage(req.id, { code: err.rpcCode, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) }), { status: err.status, headers: g.headers });
  }
  const world = { stateless: true as const, version: meta.protocolVersion, meta };
  if (req.method === "subscriptions/listen") return openListen(deps, service, input, g, req, world);
  const streamable = req.method === "tools/call" && (input.request.headers.get("accept") ?? "").includes("text/event-stream");
  const reply = new Reply(input, g.headers, streamable);
  runRequest(deps, service, g, input, req, world, reply.canStream ? reply.notify : null).then(
    (r) => reply.finish(r.reply, r.status),
    (err) => reply.fail(err),
  );
  return reply.toResponse();
}
