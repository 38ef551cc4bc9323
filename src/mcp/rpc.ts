/**
 * The JSON-RPC 2.0 layer of the MCP transport, written thin for speed (the SDK's per-request transport
 * measured ~10x slower; docs/architecture.md, "Layers"). Message shapes follow JSON-RPC 2.0 §4–5; method
 * params are checked with the SDK's own zod schemas in the method handlers; error codes are the table in
 * `rpc-errors.ts`.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcError, RPC, type RpcErrorBody } from "./rpc-errors";

export type RpcId = string | number;

export interface RpcRequest {
  jsonrpc: "2.0";
  id: RpcId;
  method: string;
  params?: Record<string, unknown>;
}

export interface RpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}

/** The client's response to a request Portico sent it (a tool's question to a 2025 session). */
export interface RpcResponse {
  id: RpcId | null;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

/** A message from the client: a request, a notification, or a response to a server request. */
export type Incoming =
  | { kind: "request"; message: RpcRequest }
  | { kind: "notification"; message: RpcNotification }
  | { kind: "response"; message: RpcResponse }
  | { kind: "invalid"; id: RpcId | null; error: JsonRpcError };

/**
 * Most messages one 2025-03-26 batch may carry (issue 11 #3: one POST of 2,000 tools/call ran 2,000
 * calls). Every element also counts against the rate limits (see endpoint.ts).
 */
export const MAX_BATCH = 50;

/**
 * Deepest JSON nesting a body may have (issue 11 #18: arguments nested 50,000 levels overflowed the stack
 * in the audit serializer and the call's row was lost). The envelope takes three levels (message, params,
 * arguments), so a tool's input may still nest about sixty deep.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `text` nests arrays/objects deeper than `max`. A flat scan over the text (strings skipped),
 * so the check itself cannot overflow the stack and runs before JSON.parse builds anything.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string literal: a quote ends it unless escaped.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Parses a POST body: one message or (2025-03-26 only) a batch of at most MAX_BATCH. Throws JsonRpcError
 * -32700 on bad JSON, -32600 on an empty or oversized batch or nesting deeper than MAX_JSON_DEPTH.
 */
export function parseBody(text: string): { messages: unknown[]; batch: boolean } {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new JsonRpcError(RPC.INVALID_REQUEST, `Invalid request: JSON nested deeper than ${MAX_JSON_DEPTH} levels.`, undefined, 400);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JsonRpcError(RPC.PARSE_ERROR, "Parse error: the request body is not valid JSON.", undefined, 400);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new JsonRpcError(RPC.INVALID_REQUEST, "Invalid request: an empty batch.", undefined, 400);
    if (value.length > MAX_BATCH) {
      throw new JsonRpcError(RPC.INVALID_REQUEST, `Invalid request: a batch may hold at most ${MAX_BATCH} messages (this one has ${value.length}).`, undefined, 400);
    }
    return { messages: value, batch: true };
  }
  return { messages: [value], batch: false };
}

const isId = (v: unknown): v is RpcId => typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

/** Classifies one message (JSON-RPC 2.0 §4: a request has an id; a notification has none). */
export function classify(value: unknown): Incoming {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { kind: "invalid", id: null, error: new JsonRpcError(RPC.INVALID_REQUEST, "Invalid request: a JSON-RPC message must be an object.") };
  }
  const m = value as Record<string, unknown>;
  const id = isId(m.id) ? m.id : null;
  const invalid = (why: string): Incoming => ({ kind: "invalid", id, error: new JsonRpcError(RPC.INVALID_REQUEST, `Invalid request: ${why}.`) });
  if (m.jsonrpc !== "2.0") return invalid('"jsonrpc" must be "2.0"');
  if (m.method === undefined && ("result" in m || "error" in m)) {
    const error = typeof m.error === "object" && m.error !== null ? (m.error as RpcResponse["error"]) : undefined;
    return { kind: "response", message: { id, ...("result" in m ? { result: m.result } : {}), ...(error ? { error } : {}) } };
  }
  if (typeof m.method !== "string" || m.method === "") return invalid('"method" must be a non-empty string');
  if (m.params !== undefined && (typeof m.params !== "object" || m.params === null || Array.isArray(m.params))) {
    return invalid('"params" must be an object');
  }
  if ("id" in m && m.id !== undefined) {
    if (!isId(m.id)) return invalid('"id" must be a string or a number');
    return { kind: "request", message: m as unknown as RpcRequest };
  }
  return { kind: "notification", message: m as unknown as RpcNotification };
}

export function errorMessage(id: RpcId | null, error: RpcErrorBody): JSONRPCMessage {
  return { jsonrpc: "2.0", id, error } as unknown as JSONRPCMessage;
}

export function notificationMessage(method: string, params?: Record<string, unknown>): JSONRPCMessage {
  return (params ? { jsonrpc: "2.0", method, params } : { jsonrpc: "2.0", method }) as JSONRPCMessage;
}

/** Parses params with an SDK schema; failures become -32602 naming the first bad field. */
export function parseParams<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, params: unknown): T {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join(".") || "params";
  throw new JsonRpcError(RPC.INVALID_PARAMS, `Invalid params: ${field}: ${issue?.message ?? "invalid"}`);
}
