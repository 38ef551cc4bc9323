/** Small HTML building blocks for the settings pages: post buttons with confirmation, copy boxes, times. */
import { csrfField } from "../auth/views";
import { html, type Html } from "../web/html";

/** Re-exported so pages take every form helper from one place. */
export { csrfField };

/** Options of `postButton`. */
export interface PostButtonOptions {
  /** Shown by portico.js in a confirm dialog before the form is sent (without JS the post just happens). */
  confirm?: string;
  danger?: boolean;
  secondary?: boolean;
  fields?: Record<string, string>;
}

/** A one-button form: the only way a settings page changes anything without JavaScript. */
export function postButton(action: string, label: string, csrf: string, o: PostButtonOptions = {}): Html {
  const cls = o.danger ? "danger" : o.secondary ? "secondary" : "";
  return html`<form method="post" action="${action}" class="inline"${o.confirm ? html` data-confirm="${o.confirm}"` : ""}>${csrfField(csrf)}${Object.entries(
    o.fields ?? {},
  ).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit" class="${cls}">${label}</button></form>`;
}

/** A value in a code box with a copy button (the button needs JS; the text stays selectable without). */
export function copyBox(value: string, label = "Copy"): Html {
  return html`<div class="copy"><code>${value}</code><button type="button" class="secondary" data-copy="${value}">${label}</button></div>`;
}

/**
 * An absolute UTC time that reads the same for everyone; the title carries the ISO form. `seconds` for
 * logs, where calls a few seconds apart must read apart (issue 16 #6).
 */
export function when(ms: number | null | undefined, opts: { seconds?: boolean } = {}): Html {
  if (!ms) return html`<span class="muted">never</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, opts.seconds ? 19 : 16).replace("T", " ")}</time>`;
}

/** A centred "nothing here yet" card that says what to do next. */
export function emptyState(text: string, next?: Html): Html {
  return html`<div class="empty card"><p>${text}</p>${next ?? ""}</div>`;
}

/** A table inside the horizontally scrolling wrapper (narrow phones); `cls` styles it, e.g. hiding columns on phones. */
export function table(head: string[], rows: Html[], cls = ""): Html {
  return html`<div class="table-wrap"><table class="${cls}"><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** "Next page" link for cursor pagination, keeping the current filters. */
export function nextPageLink(request: Request, cursorParam: string, cursor: string | number | null | undefined): Html {
  if (cursor === null || cursor === undefined) return html``;
  const url = new URL(request.url);
  url.searchParams.set(cursorParam, String(cursor));
  url.searchParams.delete("ok");
  return html`<div class="actions"><a class="button secondary" href="${url.pathname + url.search}">Older entries →</a></div>`;
}

/** A labelled select for a GET filter form; the empty option means "any". */
export function selectField(label: string, name: string, selected: string | undefined, options: Array<[string, string]>, anyLabel = "Any"): Html {
  return html`<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">${anyLabel}</option>${options.map(
    ([value, text]) => html`<option value="${value}"${value === selected ? html` selected` : ""}>${text}</option>`,
  )}</select></div>`;
}

/** Rows per page of in-memory lists. */
export const PAGE_SIZE = 50;

/** One page of an in-memory list (`?page=N`, from 1) and links to the neighbouring pages. */
export function pageSlice<T>(request: Request, all: T[]): { items: T[]; pager: Html } {
  const url = new URL(request.url);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const current = Math.min(pages, Math.max(1, Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1));
  const link = (n: number, text: string) => {
    url.searchParams.set("page", String(n));
    url.searchParams.delete("ok");
    return html`<a class="button secondary" href="${url.pathname + url.search}">${text}</a>`;
  };
  const pager =
    pages > 1
      ? html`<div class="actions">${current > 1 ? link(current - 1, "← Previous") : ""}<span class="muted small">Page ${current} of ${pages}</span>${current < pages ? link(current + 1, "Next →") : ""}</div>`
      : html``;
  return { items: all.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE), pager };
}
