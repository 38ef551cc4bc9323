/**
 * Project → Tools (`/admin/{org}/{project}/tools`): the draft's tools with how each differs from
 * production, the editor (create, edit, delete from the draft) and, for interactive tools, a preview.
 * A refused save re-shows the form with what was typed and the reason.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { TOOL_KINDS, type ToolKind } from "../../domain";
import { roleAtLeast } from "../../auth/scopes";
import { ConflictError, ValidationError } from "../../errors";
import { html } from "../../web/html";
import type { ProjectAccess } from "../../services/access";
import { adminPage, projectPath } from "../layout";
import { csrfOf, done, flashFrom, postedForm, projectPageAccess } from "../context";
import { SECRET_WRITERS } from "../../services/secrets";
import { deleteTool, getTool, listTools, type ToolStatus } from "../../services/tools";
import { secretStatus } from "../../services/secrets";
import { saveToolFromForm } from "../tool-save";
import { toolToForm } from "../tool-form-input";
import { emptyState, pageSlice, postButton, table } from "../ui";
import { csrfField, field } from "../../auth/views";
import { invoke } from "../../services/operation";
import { duplicateTool } from "../../services/tool-duplicate";
import { EMPTY_SCHEMA, KIND_WORDS, STARTERS, toolForm, type FieldError } from "./tool-form";
import { manifestCard } from "./manifest";
import { heldRun, TEST_RUN, TEST_RUN_PREVIEW, testRunCard, type TestRunState } from "./tool-test-run";
import { testRunTool, type TestRunResult } from "../../services/tool-test-run";
import { sampleInput } from "../../tools/sample-input";
import { holdOnce, takeOnce } from "../one-time";
import { redirect } from "../../auth/views";
import { need } from "../../services/access";
import { promptsCard } from "./prompts";

const FLASH = {
  saved: "Saved to the draft. Publish to make it live in production.",
  deleted: "Tool removed from the draft. Production keeps it until you publish.",
  duplicated: "Copy saved to the draft. Secret names came along; set their values for the copy before you use it.",
  "prompt-saved": "Prompt saved to the draft.",
  "prompt-deleted": "Prompt removed from the draft.",
};
const STATUS_BADGE: Record<ToolStatus, string> = { new: "ok", changed: "warn", published: "" };
const STATUS_WORDS: Record<ToolStatus, string> = { new: "not published yet", changed: "changed since published", published: "same as production" };

function isKind(value: unknown): value is ToolKind {
  return typeof value === "string" && (TOOL_KINDS as readonly string[]).includes(value);
}

interface EditorState {
  kind: ToolKind;
  values: Record<string, string>;
  name?: string;
  error?: string;
  /** The fields the refusal named (from its details), each shown beside its field. */
  errors?: FieldError[];
  /** The test run card's input, refusal or last result (an existing tool, developers and above). */
  test?: TestRunState;
}

/** The input a test run starts from: the sample the input schema describes, or `{}` (src/tools/sample-input.ts). */
function sampleFrom(inputSchemaText: string | undefined): string {
  try {
    const schema = JSON.parse(inputSchemaText ?? "");
    return JSON.stringify(schema && typeof schema === "object" && !Array.isArray(schema) ? sampleInput(schema) : {}, null, 2);
  } catch {
    return "{}";
  }
}

/** The form field a save error names ("inputSchema: …", "allowedDomains.0: …"), to show it beside that field. */
function errorField(message: string): FieldError | undefined {
  const m = message.match(/^([A-Za-z]+)[A-Za-z0-9.]*: (.+)$/s);
  return m ? { field: m[1]!, message: m[2]! } : undefined;
}

/**
 * Every field a refused save names (issue 16 #9: all errors at once): a ValidationError's details list one
 * entry per zod issue, with paths under the operation's input ("tool.name", "changes.timeoutMs"); an error
 * without details names one field in its message.
 */
function errorFields(message: string, details: unknown): FieldError[] {
  const list = Array.isArray(details) ? (details as Array<{ field?: unknown; message?: unknown }>) : [];
  const named = list.flatMap((d) => {
    if (typeof d.field !== "string" || typeof d.message !== "string") return [];
    const field = d.field.replace(/^(tool|changes)\./, "").split(".")[0]!;
    return [{ field, message: d.message }];
  });
  if (named.length) return named;
  const one = errorField(message);
  return one ? [one] : [];
}

async function secretSets(deps: Deps, access: ProjectAccess, name: string) {
  const status = await invoke(secretStatus, deps, access, { tool: name });
  return { draft: status.draft.set, production: status.production.set };
}

async function editor(deps: Deps, request: Request, access: ProjectAccess, s: EditorState, status = 200): Promise<Response> {
  const { org, project } = access;
  const isNew = !s.name;
  const base = projectPath(org, project, "/tools");
  const editable = roleAtLeast(access.role, "developer");
  const form = toolForm({
    action: isNew ? `${base}/new` : `${base}/${encodeURIComponent(s.name!)}`,
    kind: s.kind, values: s.values, csrf: csrfOf(access), editable, isNew, errors: s.errors ?? (s.error ? errorFields(s.error, undefined) : []),
    secretsSet: isNew ? { draft: [], production: [] } : await secretSets(deps, access, s.name!),
    productionEditable: roleAtLeast(access.role, SECRET_WRITERS.production),
  });
  const toolBase = isNew ? "" : `${base}/${encodeURIComponent(s.name!)}`;
  const run = s.test?.run ?? null;
  // The preview gets the test run's input and result as its tool data (issue 16 #2), through its own
  // one-time handle: the iframe is a second request, made after this page took the run's handle.
  const previewRun = run && s.kind === "interactive" && access.via.kind === "session"
    ? holdOnce(deps, access.via.sessionId, TEST_RUN_PREVIEW, { arguments: run.arguments, result: run.result })
    : null;
  const preview = !isNew && s.kind === "interactive"
    ? html`<div class="card"><h2>Preview</h2><p class="muted small">The saved HTML, in a sandbox with scripts on and no access to Portico. Hosts may look different.
${previewRun ? "It shows the data of the test run above." : editable ? "Run a test above to give it data." : ""}</p>
<iframe class="preview-frame" src="${`${toolBase}/preview${previewRun ? `?run=${encodeURIComponent(previewRun)}` : ""}`}" title="Preview of ${s.name}"></iframe></div>`
    : "";
  const test = !isNew && editable
    ? testRunCard(`${toolBase}/test`, csrfOf(access), s.test ?? { input: sampleFrom(s.values.inputSchema) })
    : "";
  const del = !isNew && editable
    ? html`<div class="card"><h2>Remove from draft</h2><p class="muted small">Production keeps serving the tool until the next publish.</p>
${postButton(`${base}/${encodeURIComponent(s.name!)}/delete`, "Delete tool", csrfOf(access), { danger: true, confirm: `Delete ${s.name} from the draft?` })}</div>`
    : "";
  const copy = !isNew && editable
    ? html`<div class="card"><h2>Duplicate</h2><p class="muted small">A copy in the draft under a new name. Secret names come along, their values do not.</p>
<form method="post" action="${`${base}/${encodeURIComponent(s.name!)}/duplicate`}">${csrfField(csrfOf(access))}
${field("New name", "newName", { value: `${s.name}_copy`, form: "duplicate" })}
<div class="actions"><button type="submit">Duplicate tool</button></div></form></div>`
    : "";
  const title = isNew ? "New tool" : s.name!;
  const readOnly = editable ? "" : html`<p class="muted">The published version, read-only: the unpublished draft is visible to developers and above.</p>`;
  const body = html`<p><a href="${base}">← Tools</a></p><h1>${title}</h1>${readOnly}${test}${preview}${form}${copy}${del}`;
  return adminPage({
    title, user: access.user, role: access.role, org, project, projectTab: "tools", status, body,
    flash: s.error ? { kind: "error", text: s.error } : flashFrom(request, FLASH),
  });
}

/** Runs a save; a validation or name conflict re-shows the form with the message (400/409). */
async function saveOrShow(deps: Deps, request: Request, access: ProjectAccess, state: EditorState, save: () => Promise<string>): Promise<Response> {
  try {
    const name = await save();
    return done(projectPath(access.org, access.project, `/tools/${encodeURIComponent(name)}`), "saved");
  } catch (err) {
    if (err instanceof ValidationError || err instanceof ConflictError) {
      const errors = errorFields(err.message, err.details);
      // One field: its message says it all; several: the flash says how many, each is beside its field.
      const fields = new Set(errors.map((e) => e.field)).size;
      const error = fields > 1 ? `${fields} fields need a change: see the messages below each one.` : err.message;
      return editor(deps, request, access, { ...state, error, errors }, err.status);
    }
    throw err;
  }
}

/** Tool list and editor routes. */
export function toolPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/tools", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const base = projectPath(org, project, "/tools");
      // Viewers see what production serves, never the unpublished draft (issue 11 #13).
      const view = await invoke(listTools, deps, access, {});
      const tools = view.tools;
      const { items, pager } = pageSlice(request, tools);
      const rows = items.map(
        (t) => html`<tr><td><a href="${`${base}/${encodeURIComponent(t.name)}`}"><code>${t.name}</code></a>${t.title ? html`<div class="small">${t.title}</div>` : ""}</td>
<td>${t.kind}</td><td class="small">${t.description.slice(0, 160)}</td><td><span class="badge ${STATUS_BADGE[t.status]}">${STATUS_WORDS[t.status]}</span>${t.secrets.length ? html` <span class="badge">secrets</span>` : ""}</td></tr>`,
      );
      const add = roleAtLeast(access.role, "developer") ? html`<div class="actions"><a class="button" href="${base}/new">Add a tool</a></div>` : "";
      const intro = view.channel === "draft"
        ? html`<p class="muted">These are the draft's tools. Hosts on the draft URL see changes at once; production sees them after you publish.</p>`
        : html`<p class="muted">These are the published tools production serves. The unpublished draft is visible to developers and above.</p>`;
      const empty = view.channel === "draft"
        ? emptyState("No tools yet. Add one, try it on the draft URL, then publish it.")
        : emptyState(view.published ? "The published version has no tools." : "Nothing published yet: production has no tools until an admin publishes.");
      const body = html`<h1>Tools</h1>${intro}
${tools.length ? html`${table(["Name", "Kind", "Description", "Status"], rows)}${pager}` : empty}${add}${await promptsCard(deps, access)}${view.channel === "draft" || view.published ? manifestCard(access) : ""}`;
      return adminPage({ title: "Tools", user: access.user, role: access.role, org, project, projectTab: "tools", flash: flashFrom(request, FLASH), body });
    })
    .get("/admin/:org/:project/tools/new", async ({ request, params, query }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const kind = (query as Record<string, unknown>).kind;
      if (isKind(kind)) return editor(deps, request, access, { kind, values: { inputSchema: EMPTY_SCHEMA, ...STARTERS[kind] } });
      const base = projectPath(access.org, access.project, "/tools/new");
      const body = html`<h1>Add a tool</h1><p>What kind of tool?</p><div class="kinds">${TOOL_KINDS.map(
        (k) => html`<a class="card kind" href="${`${base}?kind=${k}`}"><strong>${KIND_WORDS[k].title}</strong><span class="muted small">${KIND_WORDS[k].text}</span></a>`,
      )}</div>`;
      return adminPage({ title: "Add a tool", user: access.user, role: access.role, org: access.org, project: access.project, projectTab: "tools", body });
    })
    .post("/admin/:org/:project/tools/new", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const fields = postedForm(request, body, access);
      const kind = isKind(fields.kind) ? fields.kind : "script";
      return saveOrShow(deps, request, access, { kind, values: fields }, () => saveToolFromForm(deps, access, null, fields));
    })
    .get("/admin/:org/:project/tools/:name", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const tool = await invoke(getTool, deps, access, { name: params.name });
      // A test run's result, handed over by its POST (one-time: a reload shows the card without it).
      const handle = new URL(request.url).searchParams.get("run");
      const run = access.via.kind === "session" ? takeOnce<TestRunResult>(deps, access.via.sessionId, TEST_RUN, handle) : null;
      const test = run ? { input: JSON.stringify(run.arguments, null, 2), run } : undefined;
      return editor(deps, request, access, { kind: tool.kind, values: toolToForm(tool), name: tool.name, test });
    })
    .post("/admin/:org/:project/tools/:name/test", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const fields = postedForm(request, body, access);
      // The rule first, so a viewer learns nothing from the input's errors.
      need(access, testRunTool.permission.role, testRunTool.what, testRunTool.permission.scopes);
      const tool = await invoke(getTool, deps, access, { name: params.name });
      const input = fields.arguments ?? "";
      const refuse = (error: string) =>
        editor(deps, request, access, { kind: tool.kind, values: toolToForm(tool), name: tool.name, test: { input, error } }, 400);
      let args: unknown;
      try {
        args = input.trim() ? JSON.parse(input) : {};
      } catch (err) {
        return refuse(`not valid JSON (${(err as Error).message})`);
      }
      if (!args || typeof args !== "object" || Array.isArray(args)) return refuse("the input must be a JSON object, e.g. {\"q\": \"shoes\"}");
      try {
        const run = await invoke(testRunTool, deps, access, { name: tool.name, arguments: args });
        const handle = access.via.kind === "session" ? holdOnce(deps, access.via.sessionId, TEST_RUN, heldRun(run)) : "";
        return redirect(`${projectPath(access.org, access.project, `/tools/${encodeURIComponent(tool.name)}`)}?run=${encodeURIComponent(handle)}#test-run`);
      } catch (err) {
        if (err instanceof ValidationError) return refuse(err.message.replace(/^arguments: /, ""));
        throw err;
      }
    })
    .post("/admin/:org/:project/tools/:name", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const fields = postedForm(request, body, access);
      const tool = await invoke(getTool, deps, access, { name: params.name });
      return saveOrShow(deps, request, access, { kind: tool.kind, values: { ...fields, kind: tool.kind }, name: tool.name }, () =>
        saveToolFromForm(deps, access, tool.name, { ...fields, kind: tool.kind }),
      );
    })
    .post("/admin/:org/:project/tools/:name/duplicate", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const fields = postedForm(request, body, access);
      try {
        const copy = await invoke(duplicateTool, deps, access, { name: params.name, newName: fields.newName });
        return done(projectPath(access.org, access.project, `/tools/${encodeURIComponent(copy.name)}`), "duplicated");
      } catch (err) {
        if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
        const tool = await invoke(getTool, deps, access, { name: params.name });
        return editor(deps, request, access, { kind: tool.kind, values: toolToForm(tool), name: tool.name, error: err.message }, err.status);
      }
    })
    .post("/admin/:org/:project/tools/:name/delete", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      postedForm(request, body, access);
      await invoke(deleteTool, deps, access, { name: params.name });
      return done(projectPath(access.org, access.project, "/tools"), "deleted");
    });
}
