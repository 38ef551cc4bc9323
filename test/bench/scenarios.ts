/**
 * The MCP load scenarios: the JSON-RPC bodies each one sends, which of them are requests (one audit row
 * each) rather than notifications, and a probe that checks one real answer before the load starts — a
 * fast error is not a benchmark result.
 */
import { INTERACTIVE_TOOL, SCRIPT_TOOL } from "./provision";

export interface McpBody {
  json: unknown;
  /** A request (audited, answered with a result) rather than a notification (202, no row). */
  audited: boolean;
  /** Checks the probe's reply; returns what is wrong, or null. */
  check?: (reply: any) => string | null;
}

const call = (name: string, args: Record<string, unknown>) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } });

const okResult = (reply: any): string | null =>
  reply?.error ? `JSON-RPC error ${JSON.stringify(reply.error)}` : reply?.result?.isError ? `tool error: ${JSON.stringify(reply.result.content)}` : null;

export const SCRIPT_CALL: McpBody = {
  json: call(SCRIPT_TOOL, { a: 1, b: 2 }),
  audited: true,
  check: (r) => okResult(r) ?? (r.result?.structuredContent?.sum === 3 ? null : `unexpected result ${JSON.stringify(r.result)}`),
};

export const INTERACTIVE_CALL: McpBody = {
  json: call(INTERACTIVE_TOOL, { text: "hello" }),
  audited: true,
  check: (r) => okResult(r) ?? (r.result?.structuredContent?.text === "hello" ? null : `unexpected result ${JSON.stringify(r.result)}`),
};

/**
 * The same interactive call as an MCP 2026-07-28 client sends it: no session, `_meta` on the request,
 * and the standard headers (`STATELESS_HEADERS`) beside it.
 */
export const STATELESS_INTERACTIVE_CALL: McpBody = {
  json: {
    jsonrpc: "2.0", id: 1, method: "tools/call",
    params: {
      name: INTERACTIVE_TOOL, arguments: { text: "hello" },
      _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" } },
    },
  },
  audited: true,
  check: (r) => okResult(r) ?? (r.result?.resultType === "complete" && r.result?.structuredContent?.text === "hello" ? null : `unexpected result ${JSON.stringify(r.result)}`),
};

export const STATELESS_HEADERS: Record<string, string> = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": INTERACTIVE_TOOL };

export const TOOLS_LIST: McpBody = {
  json: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
  audited: true,
  check: (r) => (r.result?.tools?.length >= 2 ? null : `tools/list returned ${JSON.stringify(r).slice(0, 200)}`),
};

export const INITIALIZE: McpBody = {
  json: { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench", version: "1.0.0" } } },
  audited: true,
  check: (r) => (r.result?.protocolVersion === "2025-11-25" ? null : `initialize returned ${JSON.stringify(r).slice(0, 200)}`),
};

export const INITIALIZED: McpBody = { json: { jsonrpc: "2.0", method: "notifications/initialized" }, audited: false };

/** Headers a Streamable HTTP client sends on every POST (it accepts SSE; Portico answers JSON unless a call streams). */
export function mcpHeaders(bearer: string): Record<string, string> {
  return {
    authorization: `Bearer ${bearer}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
  };
}

/**
 * Sends each body once (carrying the session id an initialize creates); returns the number of audited
 * requests sent and the first problem found, if any.
 */
export async function probe(url: string, headers: Record<string, string>, bodies: McpBody[]): Promise<{ audited: number; problem: string | null }> {
  let audited = 0;
  let session: string | null = null;
  for (const body of bodies) {
    const res: Response = await fetch(url, { method: "POST", headers: { ...headers, ...(session ? { "mcp-session-id": session } : {}) }, body: JSON.stringify(body.json) });
    session = res.headers.get("mcp-session-id") ?? session;
    if (body.audited) audited++;
    const text = await res.text();
    if (!body.audited) {
      if (res.status !== 202) return { audited, problem: `notification answered ${res.status} ${text.slice(0, 200)}` };
      continue;
    }
    if (res.status !== 200) return { audited, problem: `answered ${res.status} ${text.slice(0, 200)}` };
    const problem = body.check?.(JSON.parse(text)) ?? null;
    if (problem) return { audited, problem };
  }
  return { audited, problem: null };
}
