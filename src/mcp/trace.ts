/**
 * The spans of one MCP request (issue 18), built only when telemetry is on (`deps.telemetry`): the request
 * span (OTel MCP semantic conventions, https://opentelemetry.io/docs/specs/semconv/gen-ai/mcp: name
 * `{mcp.method.name} {target}`, kind SERVER) continuing the caller's trace from `_meta.traceparent` (MCP
 * 2026-07-28, SEP-414) or else the HTTP `traceparent` header, with the grant check as a child. Only ids,
 * names, statuses and durations: never the credential, the arguments or the result.
 */
import type { Span } from "@opentelemetry/api";
import { createHash } from "node:crypto";
import { validTraceparent } from "../lib/trace-context";
import type { Telemetry } from "../lib/telemetry";
import type { Guarded, RouteInput } from "./guard";
import type { RpcRequest } from "./rpc";
import type { World } from "./run-request";
import type { SpanStarter } from "../tools/types";

/** A tool or prompt name is low-cardinality and part of the span name; anything odd is left out. */
const NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;

export function requestSpan(tel: Telemetry, g: Guarded, input: RouteInput, req: RpcRequest, world: World, started: number): Span {
  const parent = (world.stateless ? world.meta.traceparent : null) ?? validTraceparent(input.request.headers.get("traceparent"));
  const params = req.params as { name?: unknown } | undefined;
  const target = (req.method === "tools/call" || req.method === "prompts/get") && typeof params?.name === "string" && NAME.test(params.name) ? params.name : null;
  const attributes: Record<string, string> = {
    "mcp.method.name": req.method.slice(0, 100),
    "jsonrpc.request.id": String(req.id).slice(0, 100),
    "mcp.protocol.version": world.version,
    "network.transport": "tcp",
    "network.protocol.name": "http",
    "portico.project.id": g.project.id,
    "portico.channel": g.target.channel,
  };
  if (target && req.method === "tools/call") {
    attributes["gen_ai.tool.name"] = target;
    attributes["gen_ai.operation.name"] = "execute_tool";
  } else if (target) attributes["gen_ai.prompt.name"] = target;
  // The session id authenticates later requests of the session: only a digest of it is exported.
  if (!world.stateless && g.session) attributes["mcp.session.id"] = createHash("sha256").update(g.session.id).digest("hex").slice(0, 32);
  const span = tel.start(target ? `${req.method} ${target}` : req.method, parent, attributes, g.timing?.started ?? started, true);
  if (g.timing) {
    // The credential check ran before the request was parsed into JSON-RPC messages: its span is rebuilt from the guard's timings.
    const principal = g.principal;
    const auth = tel.start("portico.grant_check", span, {
      "portico.principal.kind": principal.kind,
      ...(principal.kind === "user" ? { "portico.grant.id": principal.grantId } : principal.kind === "apikey" ? { "portico.api_key.id": principal.apiKeyId } : {}),
    }, g.timing.started);
    tel.end(auth, null, g.timing.authenticated);
  }
  return span;
}

/** The child-span factory a tool runtime gets (sandbox run, outbound fetch) without knowing about OpenTelemetry. */
export function toolSpans(tel: Telemetry, parent: Span): SpanStarter {
  return (name, attributes, startedAt) => {
    const span = tel.start(name, parent, attributes, startedAt);
    return {
      end(errorType, more) {
        if (more) span.setAttributes(more);
        tel.end(span, errorType ?? null);
      },
    };
  };
}
