/** `/api/v1/docs`: a plain list of the API's operations, rendered from its own OpenAPI document. */
import { html } from "../web/html";
import { page } from "../web/layout";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
}

/** The parts of the OpenAPI document the index page reads. */
export interface OpenApiSpec {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
}

/** Lists every operation of the API's OpenAPI document, grouped by tag. */
export function apiDocsPage(spec: OpenApiSpec): Response {
  const rows = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ tag: op.tags?.[0] ?? "other", method: method.toUpperCase(), path, op })),
  );
  const tags = [...new Set(rows.map((r) => r.tag))];
  // A way back to the pages (issue 16 #8: no dead ends): the docs are linked from every page's footer.
  const body = html`<p><a href="/">← Back to Portico</a></p><h1>Portico API</h1><div class="card"><p>${spec.info.description}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a> (OpenAPI 3.1).</p></div>
${tags.map(
  (tag) => html`<h2>${tag}</h2><div class="table-wrap"><table><tbody>${rows
    .filter((r) => r.tag === tag)
    .map((r) => html`<tr><td><code>${r.method}</code></td><td><code>${r.path}</code></td><td>${r.op.summary ?? ""}${r.op.description ? html`<div class="muted small">${r.op.description}</div>` : ""}</td></tr>`)}</tbody></table></div>`,
)}`;
  return page({ title: "API", body });
}
