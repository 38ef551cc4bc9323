/** Raw MCP 2026-07-28 requests: the headers and `_meta` a stateless client sends, overridable per test. */
import { rpc } from "../fixture";

export const V2026 = "2026-07-28";

export function meta(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "io.modelcontextprotocol/protocolVersion": V2026,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1" },
    ...extra,
  };
}

/** The standard headers for a body: MCP-Protocol-Version, Mcp-Method and (for named methods) Mcp-Name. */
export function standardHeaders(method: string, params: Record<string, unknown> = {}): Record<string, string> {
  const name = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined;
  return { "mcp-protocol-version": V2026, "mcp-method": method, ...(name !== undefined ? { "mcp-name": name } : {}) };
}

/** POSTs one 2026 request; `headers` replace or (with null) drop the standard ones. */
export async function call2026(
  url: string, method: string, params: Record<string, unknown> = {}, opts: { bearer?: string; headers?: Record<string, string | null>; metaExtra?: Record<string, unknown>; id?: number | string } = {},
): Promise<{ status: number; body: any; response: Response }> {
  const headers: Record<string, string> = { ...standardHeaders(method, params), ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}) };
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
  const body = { jsonrpc: "2.0", id: opts.id ?? 1, method, params: { ...params, _meta: meta(opts.metaExtra) } };
  const response = await rpc(url, body, headers);
  const text = await response.text();
  let parsed: any = null;
  if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    parsed = text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
  } else if (text) parsed = JSON.parse(text);
  return { status: response.status, body: parsed, response };
}
