/**
 * Prompts (`/admin/{org}/{project}/prompts/...`): named templates with arguments that hosts offer through
 * `prompts/list` and `prompts/get`. Listed on the Tools page; developers create, edit and delete them.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { roleAtLeast } from "../../auth/scopes";
import { NotFoundError, ValidationError } from "../../errors";
import type { PromptDefinition } from "../../projects/manifest";
import { html, type Html } from "../../web/html";
import type { ProjectAccess } from "../../services/access";
import { adminPage, projectPath } from "../layout";
import { csrfOf, done, postedForm, projectPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { listPrompts, removePrompt, savePrompt } from "../../services/prompts";
import { csrfField, postButton, table } from "../ui";

const ARGS_HINT = '[{ "name": "topic", "description": "What to summarize", "required": true }]';

/** The prompt list shown under the tools. */
export async function promptsCard(deps: Deps, access: ProjectAccess): Promise<Html> {
  const base = projectPath(access.org, access.project, "/prompts");
  const prompts = await invoke(listPrompts, deps, access, {});
  const rows = prompts.map(
    (p) => html`<tr><td><a href="${`${base}/${encodeURIComponent(p.name)}`}"><code>${p.name}</code></a></td><td class="small">${p.description}</td><td>${p.arguments.map((a) => a.name).join(", ")}</td></tr>`,
  );
  return html`<div class="card"><h2>Prompts</h2><p class="muted small">Optional templates hosts can offer to users, with arguments filled in at use.</p>
${prompts.length ? table(["Name", "Description", "Arguments"], rows) : html`<p class="muted">No prompts.</p>`}
${roleAtLeast(access.role, "developer") ? html`<div class="actions"><a class="button secondary" href="${`${base}/new`}">Add a prompt</a></div>` : ""}</div>`;
}

function promptFromForm(fields: Record<string, string>): Record<string, unknown> {
  let args: unknown = [];
  if (fields.arguments?.trim()) {
    try {
      args = JSON.parse(fields.arguments);
    } catch (err) {
      throw new ValidationError(`arguments: not valid JSON (${(err as Error).message})`);
    }
  }
  return { name: fields.name?.trim(), title: fields.title?.trim() || undefined, description: fields.description ?? "", arguments: args, template: fields.template ?? "" };
}

function editor(access: ProjectAccess, values: Record<string, string>, existing: string | null, error?: string): Response {
  const base = projectPath(access.org, access.project, "/prompts");
  const editable = roleAtLeast(access.role, "developer");
  const field = (label: string, name: string, area = false, hint = "") => html`<label for="p-${name}">${label}</label>${
    area
      ? html`<textarea id="p-${name}" name="${name}" rows="6"${name === "arguments" ? html` class="code"` : ""}>${values[name] ?? ""}</textarea>`
      : html`<input id="p-${name}" name="${name}" type="text" value="${values[name] ?? ""}">`
  }${hint ? html`<div class="muted small">${hint}</div>` : ""}`;
  const body = html`<p><a href="${projectPath(access.org, access.project, "/tools")}">← Tools</a></p><h1>${existing ?? "New prompt"}</h1>
<form method="post" action="${existing ? `${base}/${encodeURIComponent(existing)}` : `${base}/new`}" class="card">${csrfField(csrfOf(access))}<fieldset${editable ? "" : html` disabled`}>
${field("Name", "name", false, existing ? "Saving under another name creates a new prompt." : "Letters, digits, '_', '-', '.'")}${field("Title", "title")}${field("Description", "description", true)}
${field("Arguments (JSON)", "arguments", true, `For example ${ARGS_HINT}`)}${field("Template", "template", true, "Use {{argument}} where an argument's value goes.")}
${editable ? html`<div class="actions"><button type="submit">Save prompt</button></div>` : ""}</fieldset></form>
${existing && editable ? html`<div class="card">${postButton(`${base}/${encodeURIComponent(existing)}/delete`, "Delete prompt", csrfOf(access), { danger: true, confirm: `Delete the prompt ${existing}?` })}</div>` : ""}`;
  return adminPage({ title: existing ?? "New prompt", user: access.user, role: access.role, org: access.org, project: access.project, projectTab: "tools", body, status: error ? 400 : 200, flash: error ? { kind: "error", text: error } : null });
}

function toForm(p: PromptDefinition): Record<string, string> {
  return { name: p.name, title: p.title ?? "", description: p.description, arguments: p.arguments.length ? JSON.stringify(p.arguments, null, 2) : "", template: p.template };
}

async function save(deps: Deps, access: ProjectAccess, fields: Record<string, string>, existing: string | null): Promise<Response> {
  try {
    await invoke(savePrompt, deps, access, promptFromForm(fields));
    return done(projectPath(access.org, access.project, "/tools"), "prompt-saved");
  } catch (err) {
    if (err instanceof ValidationError) return editor(access, fields, existing, err.message);
    throw err;
  }
}

/** Prompt editor routes. */
export function promptPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/prompts/new", async ({ request, params }) => editor(await projectPageAccess(deps, request, params.org, params.project), {}, null))
    .post("/admin/:org/:project/prompts/new", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      return save(deps, access, postedForm(request, body, access), null);
    })
    .get("/admin/:org/:project/prompts/:name", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const prompt = (await invoke(listPrompts, deps, access, {})).find((p) => p.name === params.name);
      if (!prompt) throw new NotFoundError(`No prompt named "${params.name}".`);
      return editor(access, toForm(prompt), prompt.name);
    })
    .post("/admin/:org/:project/prompts/:name", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      return save(deps, access, postedForm(request, body, access), params.name);
    })
    .post("/admin/:org/:project/prompts/:name/delete", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      postedForm(request, body, access);
      await invoke(removePrompt, deps, access, { name: params.name });
      return done(projectPath(access.org, access.project, "/tools"), "prompt-deleted");
    });
}
