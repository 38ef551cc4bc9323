/**
 * Manifest export and import on the Tools page (docs/architecture.md: Project manifest): download the draft's tools,
 * prompts and instructions as one JSON document, or replace the draft from one in a single transaction.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { roleAtLeast } from "../../auth/scopes";
import { ValidationError } from "../../errors";
import { html, type Html } from "../../web/html";
import type { ProjectAccess } from "../../services/access";
import { adminPage, projectPath } from "../layout";
import { csrfOf, postedForm, projectPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { exportManifest, importManifest } from "../../services/manifest";
import { csrfField } from "../ui";
import { diffSummary } from "./publish";

/** The export link and (for developers) the import form, shown under the tool list. */
export function manifestCard(access: ProjectAccess, text = "", error?: string): Html {
  const base = projectPath(access.org, access.project);
  const importForm = roleAtLeast(access.role, "developer")
    ? html`<form method="post" action="${`${base}/manifest`}" data-confirm="Replace every draft tool, prompt and the instructions with this manifest?">${csrfField(csrfOf(access))}
<label for="m-json">Import a manifest</label><textarea id="m-json" name="manifest" class="code" rows="8" placeholder='{ "instructions": "…", "tools": [ … ], "prompts": [ … ] }'>${text}</textarea>
${error ? html`<div class="notice error" role="alert">${error}</div>` : ""}
<div class="muted small">Replaces the draft's tools, prompts and instructions in one step. Secret values are not part of a manifest.</div>
<div class="actions"><button type="submit" class="secondary">Import into the draft</button></div></form>`
    : "";
  return html`<div class="card"><h2>Manifest</h2><p class="muted small">Keep the project in git: the manifest holds every tool, prompt and the instructions (secret names only).</p>
<div class="actions"><a class="button secondary" href="${`${base}/manifest.json`}" download>${importForm ? "Export manifest (JSON)" : "Export the published manifest (JSON)"}</a></div>${importForm}</div>`;
}

/** Manifest export and import routes. */
export function manifestPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/manifest.json", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      return new Response(JSON.stringify(await invoke(exportManifest, deps, access, {}), null, 2), {
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-disposition": `attachment; filename="${access.org.slug}-${access.project.slug}.portico.json"`,
          "cache-control": "no-store",
        },
      });
    })
    .post("/admin/:org/:project/manifest", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const text = postedForm(request, body, access).manifest ?? "";
      const show = (inner: Html, status = 200) =>
        adminPage({ title: "Import manifest", user: access.user, role: access.role, org: access.org, project: access.project, projectTab: "tools", status, body: inner });
      try {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          throw new ValidationError(`manifest: not valid JSON (${(err as Error).message})`);
        }
        const diff = await invoke(importManifest, deps, access, { manifest: parsed });
        return show(html`<h1>Manifest imported</h1><div class="notice ok" role="status">The draft now matches the manifest.</div>
<div class="card">${diffSummary(diff)}</div>
<div class="actions"><a class="button" href="${projectPath(access.org, access.project, "/tools")}">Back to tools</a></div>`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return show(html`<h1>Import manifest</h1>${manifestCard(access, text, err.message)}`, 400);
      }
    });
}
