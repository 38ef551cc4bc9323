/**
 * HTTP tools (docs/architecture.md: Tool kinds): the validated input is POSTed as JSON to the tool's https URL with
 * headers templated from its secrets (`{{secrets.NAME}}`). A JSON answer becomes the MCP result the same
 * way a script's return value does; any other body becomes text. Redirects are not followed: the
 * templated headers carry secrets, and a redirect would hand them to wherever it points.
 */
import type { OutboundProxy } from "../lib/outbound-proxy";
import { safeFetch, SafeFetchError } from "../lib/safe-fetch";
import type { ToolDefinition } from "../projects/manifest";
import { refuseHttpUnlessLoopback } from "./domains";
import { errorResult, handlerResult } from "./result";
import type { ToolCallContext, ToolOutcome } from "./types";

type HttpTool = Extract<ToolDefinition, { kind: "http" }>;

/** Largest response body an http tool may return. */
export const HTTP_TOOL_MAX_BYTES = 5 * 1024 * 1024;
/** How much of a failed response's body is shown in the error result. */
const ERROR_BODY_CHARS = 500;
const TEMPLATE = /\{\{\s*secrets\.([A-Z][A-Z0-9_]*)\s*\}\}/g;

export interface HttpToolOptions {
  allowLoopbackFetch: boolean;
  blockedOrigins: string[];
  /** The operator's outbound proxy (issue 12). */
  proxy?: OutboundProxy;
}

type Outcome = Omit<ToolOutcome, "logs">;

const fail = (errorClass: NonNullable<ToolOutcome["errorClass"]>, error: string, shown = error): Outcome => ({
  result: errorResult(shown),
  errorClass,
  error,
});

/** Fills `{{secrets.NAME}}` in each header; names the first secret that is not set. */
export function renderHeaders(templates: Record<string, string>, secrets: Record<string, string>): { headers: Record<string, string> } | { missing: string } {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(templates)) {
    let missing: string | undefined;
    headers[name] = template.replace(TEMPLATE, (_, key: string) => {
      if (!(key in secrets)) missing ??= key;
      return secrets[key] ?? "";
    });
    if (missing) return { missing };
  }
  return { headers };
}

export async function runHttpTool(
  tool: HttpTool,
  input: Record<string, unknown>,
  secrets: Record<string, string>,
  ctx: ToolCallContext,
  opts: HttpToolOptions,
): Promise<Outcome> {
  const rendered = renderHeaders(tool.headers, secrets);
  if ("missing" in rendered) return fail("configuration", `a header uses the secret ${rendered.missing}, which is not set`);
  let res;
  // Outbound fetch span (issue 18): method, host and status only (HTTP semconv), never the URL's path or query.
  const span = ctx.span?.("POST", { "http.request.method": "POST", "server.address": hostOf(tool.url) });
  try {
    res = await safeFetch(tool.url, {
      method: "POST",
      headers: { accept: "application/json", ...rendered.headers, "content-type": "application/json" },
      body: JSON.stringify(input),
      allowLoopback: opts.allowLoopbackFetch,
      allowHttp: opts.allowLoopbackFetch,
      refuseUrl: refuseHttpUnlessLoopback(opts.allowLoopbackFetch),
      blockedOrigins: opts.blockedOrigins,
      proxy: opts.proxy,
      timeoutMs: tool.timeoutMs,
      maxBytes: HTTP_TOOL_MAX_BYTES,
      maxRedirects: 0,
      signal: ctx.signal,
    });
  } catch (err) {
    span?.end(err instanceof SafeFetchError ? "fetch_refused" : "fetch_failed");
    const message = err instanceof SafeFetchError ? err.message : "request failed";
    return fail("runtime", `the tool's endpoint could not be reached: ${message}`);
  }
  span?.end(res.status >= 500 ? String(res.status) : null, { "http.response.status_code": res.status });
  const text = new TextDecoder().decode(res.body);
  if (res.status < 200 || res.status > 299) {
    const error = `the tool's endpoint answered HTTP ${res.status}`;
    return fail("runtime", error, text ? `${error}: ${text.slice(0, ERROR_BODY_CHARS)}` : error);
  }
  if (!/\bjson\b/i.test(res.headers.get("content-type") ?? "")) return { result: { content: text ? [{ type: "text", text }] : [] } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("runtime", "the tool's endpoint sent invalid JSON");
  }
  const mapped = handlerResult(value);
  if ("error" in mapped) return fail("tool", mapped.error);
  return { result: mapped.result };
}

/** A URL's host for a span attribute, or "" when it does not parse. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}
