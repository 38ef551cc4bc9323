/**
 * The per-request `_meta` of MCP 2026-07-28 (§Versioning, SEP-2575): with no initialize handshake, every
 * request names its protocol version and the client's capabilities (both required), may name the client
 * (clientInfo is a SHOULD, never required), may ask for log messages (`logLevel`; none are sent without
 * it) and may carry W3C trace context (SEP-414). A request missing a required field is answered -32602
 * with HTTP 400, the conformance suite's `sep-2575-request-meta-invalid-*` checks.
 */
import { validTraceparent } from "../../lib/trace-context";
import { LOG_LEVELS, type LogLevel } from "../sessions";
import { JsonRpcError, RPC } from "../rpc-errors";

export const STATELESS_VERSION = "2026-07-28";
export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

export interface RequestMeta {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo: { name: string; version: string } | null;
  /** null: the request asked for no log messages (MCP 2026-07-28 §Logging: then none are sent). */
  logLevel: LogLevel | null;
  traceparent: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The `_meta` protocol version a message names, if any (decides which world serves it). */
export function metaVersion(message: unknown): string | undefined {
  if (!isObject(message) || !isObject(message.params) || !isObject(message.params._meta)) return undefined;
  const v = message.params._meta[META.protocolVersion];
  return typeof v === "string" ? v : undefined;
}

const invalid = (why: string) => new JsonRpcError(RPC.INVALID_PARAMS, `Invalid params: _meta: ${why}`, undefined, 400);

/** Reads the request's `_meta`; throws -32602 (HTTP 400) when a required field is missing or malformed. */
export function readMeta(params: Record<string, unknown> | undefined): RequestMeta {
  const meta = params?._meta;
  if (!isObject(meta)) throw invalid(`MCP ${STATELESS_VERSION} requests carry _meta with "${META.protocolVersion}" and "${META.clientCapabilities}".`);
  const version = meta[META.protocolVersion];
  if (typeof version !== "string" || version === "") throw invalid(`"${META.protocolVersion}" is required.`);
  const caps = meta[META.clientCapabilities];
  if (!isObject(caps)) throw invalid(`"${META.clientCapabilities}" is required (an object; {} when the client declares none).`);
  const info = meta[META.clientInfo];
  const clientInfo = isObject(info) && typeof info.name === "string"
    ? { name: info.name.slice(0, 200), version: typeof info.version === "string" ? info.version.slice(0, 100) : "" }
    : null;
  const level = meta[META.logLevel];
  if (level !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(level)) {
    throw invalid(`"${META.logLevel}" must be one of ${LOG_LEVELS.join(", ")}.`);
  }
  return {
    protocolVersion: version,
    clientCapabilities: caps,
    clientInfo,
    logLevel: (level as LogLevel | undefined) ?? null,
    // Malformed trace context is dropped, never stored raw (it ends up in audit rows and logs).
    traceparent: validTraceparent(meta.traceparent),
  };
}
