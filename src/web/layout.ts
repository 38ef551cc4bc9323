import { html, raw, type Html } from "./html";
import { BUILD } from "../build-info";
import css from "./assets/portico.css" with { type: "text" };
import favicon from "./assets/favicon.svg" with { type: "text" };
// @ts-expect-error: a browser script imported as text, not a module
import js from "./assets/portico.js" with { type: "text" };

export const ASSETS = {
  "portico.css": { body: css, type: "text/css; charset=utf-8" },
  "portico.js": { body: js, type: "text/javascript; charset=utf-8" },
  // Portico's mark (issue 16 #9), bundled like the stylesheet: no CDN, and CSP img-src 'self' allows it.
  "favicon.svg": { body: favicon, type: "image/svg+xml" },
} as const;

/** Security headers for every HTML page: no framing, no third-party anything. */
export const PAGE_HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export interface PageOptions {
  title: string;
  body: Html;
  /** Top navigation; omitted on sign-in and consent pages. */
  nav?: Html;
  /** Narrow centered column (sign-in, consent, setup). */
  narrow?: boolean;
  status?: number;
  headers?: Record<string, string>;
}

/** Renders a full HTML page with the shared stylesheet and security headers. */
export function page(opts: PageOptions): Response {
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${opts.title} · Portico</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/portico.css">
<script src="/assets/portico.js" defer></script>
</head>
<body>
${opts.nav ?? ""}
<main class="${opts.narrow ? "narrow" : ""}">
${opts.body}
</main>
<footer class="build">Portico ${BUILD.version} · ${BUILD.commit} · <a href="/api/v1/docs">API docs</a></footer>
</body>
</html>`;
  return new Response(doc.value, { status: opts.status ?? 200, headers: { ...PAGE_HEADERS, ...opts.headers } });
}

/** A small page with one message, for refusals and errors people will read; `nav`: the face's top bar, if any. */
export function messagePage(title: string, message: string | Html, status = 200, next?: Html, nav?: Html): Response {
  return page({
    title,
    nav,
    narrow: true,
    status,
    body: html`<div class="card"><h1>${title}</h1><p>${message}</p>${next ?? ""}</div>`,
  });
}

export { raw };
