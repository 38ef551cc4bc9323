/**
 * The interactive-tool preview (docs/architecture.md: Tools: runtime safety): the tool's MCP Apps HTML is never rendered
 * on Portico's origin. This bare document holds it in an `<iframe sandbox="allow-scripts" srcdoc>` without
 * `allow-same-origin`, so it runs on an opaque origin with no access to Portico's cookies, pages or API.
 * A srcdoc document inherits this page's CSP, which is why this page (and only this one, which carries no
 * form and no CSRF token) allows inline scripts, plus the tool's allowed domains as its `_meta.ui.csp` would.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { NotFoundError } from "../../errors";
import { html } from "../../web/html";
import { PAGE_HEADERS } from "../../web/layout";
import { projectPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { getTool } from "../../services/tools";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { takeOnce } from "../one-time";
import { TEST_RUN_PREVIEW } from "./tool-test-run";

/** What a test run gives the preview: the input it ran with and the result the tool returned. */
interface PreviewData {
  arguments: Record<string, unknown>;
  result: CallToolResult;
}

/** The CSP for a preview of a tool that may reach `domains` (`api.example.com`, `*.example.com`). */
export function previewCsp(domains: readonly string[]): string {
  const origins = domains.map((d) => `https://${d}`).join(" ");
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${origins}`,
    `style-src 'self' 'unsafe-inline' ${origins}`,
    `img-src 'self' data: blob: ${origins}`,
    `font-src data: ${origins}`,
    `connect-src ${origins || "'none'"}`,
    "frame-src 'self'",
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The preview document route. */
export function toolPreviewPages(deps: Deps) {
  return new Elysia().get("/admin/:org/:project/tools/:name/preview", async ({ request, params }) => {
    const access = await projectPageAccess(deps, request, params.org, params.project);
    const tool = await invoke(getTool, deps, access, { name: params.name });
    if (tool.kind !== "interactive") throw new NotFoundError("Only interactive tools have a preview.");
    // A test run's input and result (issue 16 #2), handed over once by the tool page: portico.js sends them
    // to the app as `ui/notifications/tool-input` and `ui/notifications/tool-result`, as a host would.
    const handle = new URL(request.url).searchParams.get("run");
    const run = access.via.kind === "session" ? takeOnce<PreviewData>(deps, access.via.sessionId, TEST_RUN_PREVIEW, handle) : null;
    const data = run ? html` data-tool-input="${JSON.stringify(run.arguments)}" data-tool-result="${JSON.stringify(run.result)}"` : html``;
    const doc = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title>
<link rel="stylesheet" href="/assets/portico.css"><script src="/assets/portico.js" defer></script></head>
<body class="preview-body"><iframe class="preview-app" data-mcp-preview${data} sandbox="allow-scripts" srcdoc="${tool.html}" title="${tool.name}"></iframe></body></html>`;
    return new Response(doc.value, {
      headers: { ...PAGE_HEADERS, "content-security-policy": previewCsp(tool.allowedDomains), "x-frame-options": "SAMEORIGIN" },
    });
  });
}
