/**
 * Small building blocks for the sign-in family of pages (login, setup, invite, reset, account): a narrow
 * card, labelled inputs, the CSRF field, notices, and 303 redirects that set cookies.
 */
import { html, raw, type Html } from "../web/html";
import { page } from "../web/layout";
import { CSRF_FIELD } from "./csrf";

/** How `field()` renders one input. */
export interface FieldOptions {
  type?: "text" | "email" | "password" | "hidden";
  value?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  autofocus?: boolean;
  /** Distinguishes ids when one page has two forms with the same field names. */
  form?: string;
  /** Further attributes (pattern, maxlength, data-*); names are our own constants, values are escaped. */
  attrs?: Record<string, string>;
  /** Why a refused post did not accept this field, shown beside it. */
  error?: string;
}

/** A labelled input; values are escaped by `html`. */
export function field(label: string, name: string, opts: FieldOptions = {}): Html {
  const id = `f-${opts.form ? `${opts.form}-` : ""}${name}`;
  return html`<label for="${id}">${label}</label>
<input id="${id}" name="${name}" type="${opts.type ?? "text"}" value="${opts.value ?? ""}"${opts.autocomplete ? html` autocomplete="${opts.autocomplete}"` : ""}${opts.required === false ? "" : html` required`}${opts.autofocus ? html` autofocus` : ""}${Object.entries(opts.attrs ?? {}).map(([k, v]) => html` ${raw(k)}="${v}"`)}${opts.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ""}>
${opts.error ? html`<div class="field-error" id="${id}-error">${opts.error}</div>` : ""}${opts.hint ? html`<div class="muted small">${opts.hint}</div>` : ""}`;
}

/** A hidden input; nothing when `value` is undefined. */
export function hidden(name: string, value: string | undefined): Html {
  return value === undefined ? html`` : html`<input type="hidden" name="${name}" value="${value}">`;
}

/** The CSRF token field every form carries. */
export function csrfField(token: string): Html {
  return hidden(CSRF_FIELD, token);
}

/** An error (or success) notice; `null` renders nothing. */
export function notice(message: string | null | undefined, kind: "error" | "ok" = "error"): Html {
  return message ? html`<div class="notice ${kind}" role="${kind === "error" ? "alert" : "status"}">${message}</div>` : html``;
}

/** A narrow page with one card, as the sign-in family of pages looks. */
export function cardPage(title: string, body: Html, opts: { status?: number; setCookie?: string[]; headers?: Record<string, string> } = {}): Response {
  const res = page({ title, narrow: true, status: opts.status, headers: opts.headers, body: html`<div class="card"><h1>${title}</h1>${body}</div>` });
  for (const c of opts.setCookie ?? []) res.headers.append("set-cookie", c);
  return res;
}

/** 303 See Other (so the browser follows with GET), with any cookies to set. */
export function redirect(location: string, setCookie: Array<string | undefined> = []): Response {
  const res = new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
  for (const c of setCookie) if (c) res.headers.append("set-cookie", c);
  return res;
}

/** Form bodies as plain string fields; anything else (files, arrays, JSON) is dropped. */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === "object") {
    for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  }
  return out;
}
