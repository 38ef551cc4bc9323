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
    const doc = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title>
<link rel="stylesheet" href="/assets/portico.css"><script src="/assets/portico.js" defer></script></head>
<body class="preview-body"><iframe class="preview-app" data-mcp-preview sandbox="allow-scripts" srcdoc="${tool.html}" title="${tool.name}"></iframe></body></html>`;
    return new Response(doc.value, {
      headers: { ...PAGE_HEADERS, "content-security-policy": previewCsp(tool.allowedDomains), "x-frame-options": "SAMEORIGIN" },
    });
  });
}
