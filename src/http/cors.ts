/**
 * Browser access to MCP endpoints and the OAuth documents (docs/architecture.md: MCP transport rules). The Origin rule
 * guards against DNS rebinding (MCP Streamable HTTP §Security): no Origin → allowed (Claude, ChatGPT and
 * mcp-remote send none); Portico's own origin, loopback origins (MCP Inspector at localhost:6274) and
 * `--allowed-origins` → allowed; anything else → 403. Preflights are answered before authentication.
 */
import type { Config } from "../config";

export const ALLOW_HEADERS = "Authorization, Content-Type, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name";
/** MCP 2026-07-28 `Mcp-Param-{Name}` headers (x-mcp-header) have tool-chosen names: a preflight may ask for any of them. */
const PARAM_HEADER = /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** The allowed request headers for a preflight: the fixed list plus the Mcp-Param-* headers it asks for. */
function allowHeaders(request: Request): string {
  const asked = (request.headers.get("access-control-request-headers") ?? "").split(",").map((h) => h.trim()).filter((h) => PARAM_HEADER.test(h));
  return asked.length ? `${ALLOW_HEADERS}, ${asked.slice(0, 32).join(", ")}` : ALLOW_HEADERS;
}
export const EXPOSE_HEADERS = "WWW-Authenticate, Mcp-Session-Id";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

type OriginConfig = Pick<Config, "publicUrl" | "allowedOrigins">;

/** The Origin rule; `null` (header absent) is allowed. */
export function isAllowedOrigin(origin: string | null, config: OriginConfig): boolean {
  if (origin === null || origin === config.publicUrl) return true;
  if (config.allowedOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}

/**
 * CORS response headers for an MCP request: an allowed Origin is echoed and a foreign one gets no CORS
 * headers at all. (The credential-less OAuth documents answer `*`: src/oauth/http.ts.)
 */
export function corsHeaders(request: Request, config: OriginConfig): Record<string, string> {
  const origin = request.headers.get("origin");
  if (origin === null || !isAllowedOrigin(origin, config)) return {};
  return { "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSE_HEADERS, vary: "Origin" };
}

/** Answers an OPTIONS preflight: 204 with the allowed methods and headers, or 403 for a foreign Origin. */
export function preflight(request: Request, config: OriginConfig, methods: string): Response {
  const origin = request.headers.get("origin");
  if (!isAllowedOrigin(origin, config)) {
    return Response.json({ error: "origin_not_allowed", error_description: "This origin may not call Portico." }, { status: 403 });
  }
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request, config),
      "access-control-allow-methods": methods,
      "access-control-allow-headers": allowHeaders(request),
      "access-control-max-age": "600",
    },
  });
}
