/**
 * The standard request headers of MCP 2026-07-28 (§Streamable HTTP "Standard Request Headers", "Custom
 * Headers from Tool Parameters", "Server Validation"; SEP-2243). Intermediaries route and rate-limit on
 * `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*`, so a header that disagrees with the body would let them act
 * on one request while Portico runs another: any missing, malformed or mismatching value is refused with
 * HeaderMismatch (-32020, HTTP 400). Header names are case-insensitive (Fetch's Headers already are);
 * values are case-sensitive and trimmed of optional whitespace (RFC 9110 §5.5).
 */
import { JsonRpcError, RPC } from "../rpc-errors";

const mismatch = (why: string) => new JsonRpcError(RPC.HEADER_MISMATCH, `Header mismatch: ${why}`, undefined, 400);

const SENTINEL = /^=\?base64\?(.*)\?=$/s;
/** RFC 4648 §4 with mandatory padding: the spec's invalid-padding case (`SGVsbG8`) must be refused. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Field values are visible ASCII, space and tab (RFC 9110 §5.5); anything else must come Base64-encoded. */
const PLAIN = /^[\x20-\x7e\t]*$/;

/**
 * A header value as the client meant it: trimmed, and decoded when it uses the `=?base64?…?=` sentinel
 * (§Value Encoding). Throws HeaderMismatch for invalid Base64 or characters a field value cannot hold.
 */
export function decodeHeaderValue(name: string, raw: string): string {
  const value = raw.trim();
  const encoded = SENTINEL.exec(value);
  if (!encoded) {
    if (!PLAIN.test(value)) throw mismatch(`${name} holds characters a header value cannot carry; send them Base64-encoded.`);
    return value;
  }
  const b64 = encoded[1]!;
  if (!BASE64.test(b64)) throw mismatch(`${name} is not valid Base64 inside =?base64?…?=.`);
  const bytes = Buffer.from(b64, "base64");
  const text = new TextDecoder("utf-8", { fatal: true });
  try {
    return text.decode(bytes);
  } catch {
    throw mismatch(`${name} does not decode to UTF-8 text.`);
  }
}

/** Methods whose `Mcp-Name` is required, and the body field it mirrors. */
const NAMED: Record<string, "name" | "uri"> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };

/** Checks `Mcp-Method` and, where the method names something, `Mcp-Name` against the body. */
export function checkStandardHeaders(headers: Headers, method: string, params: Record<string, unknown> | undefined): void {
  const sent = headers.get("mcp-method");
  if (sent === null) throw mismatch(`the Mcp-Method header is required (it must equal the body's method "${method.slice(0, 100)}").`);
  if (sent.trim() !== method) throw mismatch(`Mcp-Method "${sent.trim().slice(0, 100)}" does not match the body's method "${method.slice(0, 100)}".`);
  const field = NAMED[method];
  if (!field) return;
  const bodyValue = params?.[field];
  if (typeof bodyValue !== "string") return; // the method's own params check names the missing field
  const name = headers.get("mcp-name");
  if (name === null) throw mismatch(`the Mcp-Name header is required for ${method} (it must equal params.${field}).`);
  if (decodeHeaderValue("Mcp-Name", name) !== bodyValue) throw mismatch(`Mcp-Name does not match params.${field}.`);
}

/** One `x-mcp-header` annotation of a tool's inputSchema: the header suffix and the property path it mirrors. */
export interface HeaderParam {
  header: string;
  path: string[];
  type: "string" | "integer" | "boolean";
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DECIMAL_INTEGER = /^-?\d+(\.0+)?$/;

/**
 * The `x-mcp-header` annotations of an inputSchema (§Custom Headers "Schema Extension"): only on primitive
 * properties statically reachable through `properties` keys. Annotations elsewhere are ignored here (the
 * client must reject such a tool; Portico simply does not enforce them).
 */
export function headerParams(schema: unknown): HeaderParam[] {
  const out: HeaderParam[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node !== "object" || node === null) return;
    const props = (node as { properties?: unknown }).properties;
    if (typeof props !== "object" || props === null) return;
    for (const [key, child] of Object.entries(props as Record<string, unknown>)) {
      if (typeof child !== "object" || child === null) continue;
      const c = child as Record<string, unknown>;
      const header = c["x-mcp-header"];
      if (typeof header === "string" && TOKEN.test(header) && (c.type === "string" || c.type === "integer" || c.type === "boolean")) {
        out.push({ header, path: [...path, key], type: c.type });
      }
      walk(child, [...path, key]);
    }
  };
  walk(schema, []);
  return out;
}

function valueAt(args: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = args;
  for (const key of path) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function sameValue(p: HeaderParam, header: string, body: unknown): boolean {
  if (p.type === "string") return header === body;
  if (p.type === "boolean") return header === String(body);
  // §Server Validation: integers compare numerically (42.0 equals 42) — but only in decimal notation:
  // "0x2A" or "4.2e1" would let an intermediary route on text that differs from what runs.
  return DECIMAL_INTEGER.test(header) && Number(header) === body && Number.isSafeInteger(body);
}

/** Checks every `Mcp-Param-*` header a tool's arguments call for (present in the body → header required and equal). */
export function checkParamHeaders(headers: Headers, params: HeaderParam[], args: Record<string, unknown>): void {
  for (const p of params) {
    const body = valueAt(args, p.path);
    const name = `Mcp-Param-${p.header}`;
    const raw = headers.get(name);
    // A recognized header with invalid characters or Base64 is refused even when the body omits the value.
    const sent = raw === null ? null : decodeHeaderValue(name, raw);
    if (body === undefined || body === null) continue;
    if (sent === null) throw mismatch(`the ${name} header is required when arguments.${p.path.join(".")} is given.`);
    if (!sameValue(p, sent, body)) throw mismatch(`${name} does not match arguments.${p.path.join(".")}.`);
  }
}
