/**
 * The HTTP problem formats (docs/architecture.md, "Error model"): a readable HTML page with a way back for
 * the pages, one JSON problem shape for the JSON API. A face installs one of them as its own local Elysia
 * `onError` (`pageErrors`, `apiErrors`), so the format follows the plugin that owns the route — never the
 * URL. Unknown errors are logged and answered generically: never a stack trace or `err.message`.
 */
import { knownError, NotFoundError, RedirectError, ValidationError, type ErrorLog } from "../errors";
import { html, type Html } from "../web/html";
import { messagePage } from "../web/layout";

/** What Elysia hands an `onError` hook: its own code ("NOT_FOUND", "VALIDATION", …) and the thrown value. */
export interface ElysiaErrorInput {
  code: unknown;
  error: unknown;
  request: Request;
}

/**
 * Elysia's own failures as AppErrors: an unmatched route is a 404, a body or query it could not parse or
 * validate is a 400 (without Elysia's message, which echoes the schema and the input).
 */
export function fromElysia(code: unknown, error: unknown): unknown {
  if (code === "NOT_FOUND") return new NotFoundError("There is no page at this address.");
  if (code === "VALIDATION" || code === "PARSE") return new ValidationError("The request could not be read: check its parameters.");
  return error;
}

const GENERIC_PAGE = "An unexpected error occurred. The details were logged for the administrator.";

function pageTitle(status: number): string {
  if (status === 404) return "Not found";
  if (status === 403) return "Not allowed";
  return status >= 500 ? "Something went wrong" : "Request refused";
}

/** What a face puts around its error pages (issue 16 #8: the normal header and a way back, no dead end). */
export interface PageChrome {
  nav?: Html;
  back?: Html;
}

/** A thrown value as an HTML page: a redirect stays a redirect; everything else a message page with a way back. */
export function pageErrorResponse(error: unknown, log: ErrorLog, path: string, chrome: PageChrome = {}): Response {
  if (error instanceof RedirectError) return new Response(null, { status: error.status, headers: error.headers });
  const known = knownError(error, log, { path });
  const status = known?.status ?? 500;
  const res = messagePage(pageTitle(status), known?.message ?? GENERIC_PAGE, status, chrome.back ?? html`<p><a href="/">Back to Portico</a></p>`, chrome.nav);
  for (const [k, v] of Object.entries(known?.headers ?? {})) res.headers.set(k, v);
  return res;
}

/** The JSON API's one problem shape: `{ "error": { code, message, details } }` with the error's status and headers. */
export function apiErrorResponse(error: unknown, log: ErrorLog, path: string): Response {
  const known = knownError(error, log, { path });
  const body = { error: { code: known?.code ?? "internal", message: known?.message ?? "internal error", details: known?.details } };
  return Response.json(body, { status: known?.status ?? 500, headers: known?.headers ?? {} });
}

/** `onError` for a plugin of pages; `chrome` gives the face's header and way back for the failed request. */
export function pageErrors(log: ErrorLog, chrome?: (request: Request) => PageChrome | Promise<PageChrome>) {
  return async ({ code, error, request }: ElysiaErrorInput) => {
    // The chrome (who is signed in) is a nicety: an error page still renders when it cannot be read.
    const pageChrome = chrome ? await Promise.resolve(chrome(request)).catch(() => ({})) : {};
    return pageErrorResponse(fromElysia(code, error), log, new URL(request.url).pathname, pageChrome);
  };
}

/** `onError` for the JSON API plugin. */
export function apiErrors(log: ErrorLog) {
  return ({ code, error, request }: ElysiaErrorInput) => apiErrorResponse(fromElysia(code, error), log, new URL(request.url).pathname);
}

