/**
 * The tool editor's markup: common fields, the kind-specific ones (UI HTML, script source, HTTP endpoint),
 * JSON Schemas, annotations, allowed domains and write-only secret values per channel (issue 11 #1:
 * draft values for developers, production values for admins and owners). Viewers get it read-only.
 */
import { SCOPES, SCOPE_WORDS } from "../../auth/scopes";
import { CHANNELS, type Channel, type ToolKind } from "../../domain";
import { html, type Html } from "../../web/html";
import { ANNOTATION_HINTS } from "../tool-form-input";
import { csrfField } from "../ui";

/** How each tool kind is named and explained in the editor. */
export const KIND_WORDS: Record<ToolKind, { title: string; text: string }> = {
  interactive: { title: "Interactive (MCP App)", text: "Shows your own HTML inside the host (Claude, ChatGPT) and returns structured data to it." },
  script: { title: "Script", text: "Runs a JavaScript function in a fresh sandbox per call, with time and memory limits." },
  http: { title: "HTTP endpoint", text: "POSTs the validated input to an https endpoint, with headers built from secrets." },
};

/** Starting values of a new tool of each kind. */
export const STARTERS: Record<ToolKind, Record<string, string>> = {
  interactive: { html: "<!doctype html>\n<html>\n<body>\n  <h1>Hello from Portico</h1>\n</body>\n</html>\n" },
  script: { script: "export default async (input, env) => {\n  return { echoed: input };\n};\n", timeoutMs: "10000", memoryMb: "128" },
  http: { url: "https://", headers: "{}", timeoutMs: "10000" },
};

/** A new tool's input schema: an object with no properties. */
export const EMPTY_SCHEMA = JSON.stringify({ type: "object", properties: {} }, null, 2);

const ANNOTATION_WORDS: Record<(typeof ANNOTATION_HINTS)[number], string> = {
  readOnlyHint: "Read-only: does not change anything",
  destructiveHint: "Destructive: may delete or overwrite data",
  idempotentHint: "Idempotent: repeating a call has no further effect",
  openWorldHint: "Open world: reaches systems outside this project",
};

/** One refused field of a save, shown next to that field. */
export interface FieldError {
  field: string;
  message: string;
}

/** The form's values and every field a refused save was about (issue 16 #9: all at once, not the first). */
interface Fields {
  values: Record<string, string>;
  errors: FieldError[];
}

function invalid(f: Fields, name: string): Html {
  return f.errors.some((e) => e.field === name) ? html` aria-invalid="true" aria-describedby="e-${name}"` : html``;
}

function below(f: Fields, name: string, hint?: string): Html {
  const mine = f.errors.filter((e) => e.field === name);
  const err = mine.length ? html`<div class="field-error" id="e-${name}">${mine.map((e) => e.message).join("; ")}</div>` : "";
  return html`${err}${hint ? html`<div class="muted small">${hint}</div>` : ""}`;
}

function text(label: string, name: string, f: Fields, o: { hint?: string; required?: boolean; type?: string } = {}): Html {
  return html`<label for="t-${name}">${label}</label><input id="t-${name}" name="${name}" type="${o.type ?? "text"}" value="${f.values[name] ?? ""}"${o.required ? html` required` : ""}${invalid(f, name)}>${below(f, name, o.hint)}`;
}

/** Which code editor mode (src/web/editor) enhances a text area; without JavaScript it stays a plain text area. */
type EditorMode = "javascript" | "html" | "json";

function area(label: string, name: string, f: Fields, o: { hint?: string; rows?: number; cls?: string; editor?: EditorMode } = {}): Html {
  return html`<label for="t-${name}">${label}</label><textarea id="t-${name}" name="${name}" rows="${o.rows ?? 8}" class="${o.cls ?? ""}" spellcheck="false"${o.editor ? html` data-editor="${o.editor}"` : ""}${invalid(f, name)}>${f.values[name] ?? ""}</textarea>${below(f, name, o.hint)}`;
}

function kindFields(kind: ToolKind, f: Fields): Html {
  if (kind === "interactive") {
    return area("UI HTML", "html", f, { rows: 16, cls: "code", editor: "html", hint: "One self-contained HTML document, served to hosts as an MCP Apps resource. It is previewed below in a sandbox, never on Portico's own origin." });
  }
  if (kind === "script") {
    return html`${area("Script", "script", f, { rows: 16, cls: "code", editor: "javascript", hint: "export default async (input, env) => result. env.secrets holds this tool's secrets; env.log() and env.progress() reach the host; fetch reaches only the allowed domains." })}
<div class="filters"><div>${text("Time limit (ms)", "timeoutMs", f, { type: "number" })}</div><div>${text("Memory limit (MB)", "memoryMb", f, { type: "number" })}</div></div>`;
  }
  return html`${text("Endpoint URL", "url", f, { required: true, type: "url", hint: "Receives the validated input as a JSON POST." })}
${area("Headers (JSON object)", "headers", f, { rows: 4, cls: "code", editor: "json", hint: 'Use {{secrets.NAME}} for secret values, e.g. {"Authorization": "Bearer {{secrets.API_KEY}}"}' })}
${text("Time limit (ms)", "timeoutMs", f, { type: "number" })}`;
}

/** What the editor form shows. */
export interface ToolFormOptions {
  action: string;
  kind: ToolKind;
  values: Record<string, string>;
  csrf: string;
  editable: boolean;
  /** Which declared secret names have a value on each channel. */
  secretsSet: Record<Channel, string[]>;
  /** Admins and owners may type production values; developers only draft ones. */
  productionEditable: boolean;
  isNew: boolean;
  /** The fields a refused save was about, and why. */
  errors?: FieldError[];
}

const CHANNEL_WORDS: Record<Channel, string> = { draft: "Draft value", production: "Production value" };

/** One name's value field on one channel, with whether it is set; read-only text where the caller may not write. */
function secretInput(o: ToolFormOptions, name: string, channel: Channel): Html {
  const set = o.secretsSet[channel].includes(name);
  const badge = set ? html`<span class="badge ok">set</span>` : html`<span class="badge warn">not set</span>`;
  const id = `s-${channel}-${name}`;
  const label = html`<label for="${id}">${CHANNEL_WORDS[channel]} ${badge}</label>`;
  if (channel === "production" && !o.productionEditable) {
    return html`${label}<input id="${id}" type="password" disabled placeholder="only admins and owners set production values">`;
  }
  return html`${label}<input id="${id}" name="secret.${channel}.${name}" type="password" autocomplete="off" placeholder="${set ? "leave empty to keep the saved value" : "value"}">`;
}

/** The whole editor form. */
export function toolForm(o: ToolFormOptions): Html {
  const f: Fields = { values: o.values, errors: o.errors ?? [] };
  const v = o.values;
  const secretNames = (v.secrets ?? "").split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  const secretInputs = secretNames.map((n) => html`<fieldset class="secret"><legend><code>${n}</code></legend>${CHANNELS.map((c) => secretInput(o, n, c))}</fieldset>`);
  return html`<form method="post" action="${o.action}" class="tool-form">${csrfField(o.csrf)}<input type="hidden" name="kind" value="${o.kind}">
<fieldset${o.editable ? "" : html` disabled`}>
<div class="card"><h2>${KIND_WORDS[o.kind].title}</h2><p class="muted small">${KIND_WORDS[o.kind].text}</p>
${text("Name", "name", f, { required: true, hint: o.isNew ? "Letters, digits, '_', '-', '.'; hosts show it to the model. It cannot change once published." : "The name cannot change once the tool has been published." })}
${text("Title", "title", f, { hint: "A human-friendly name hosts may show." })}
${area("Description", "description", f, { rows: 3, hint: "Tell the model when to use this tool and what it returns." })}
<label for="t-scope">Extra scope needed</label><select id="t-scope" name="scope"><option value="">none (anyone who may call tools)</option>${SCOPES.map(
    (s) => html`<option value="${s}"${v.scope === s ? html` selected` : ""}>${s} — ${SCOPE_WORDS[s]}</option>`,
  )}</select></div>
<div class="card">${kindFields(o.kind, f)}</div>
<div class="card"><h2>Input and output</h2>
${area("Input schema (JSON Schema)", "inputSchema", f, { rows: 10, cls: "code", editor: "json", hint: 'Must be an object schema: {"type": "object", "properties": {…}}. Calls are validated against it.' })}
${area("Output schema (optional)", "outputSchema", f, { rows: 6, cls: "code", editor: "json", hint: "When set, hosts can rely on the structured result having this shape." })}
<h3>Hints for hosts</h3>${ANNOTATION_HINTS.map(
    (h) => html`<label class="check"><input type="checkbox" name="${h}"${v[h] === "on" ? html` checked` : ""}> ${ANNOTATION_WORDS[h]}</label>`,
  )}</div>
<div class="card"><h2>Network and secrets</h2>
${area("Allowed domains", "allowedDomains", f, { rows: 3, hint: "One per line, e.g. api.example.com or *.example.com. Nothing else is reachable." })}
${area("Secret names", "secrets", f, { rows: 3, hint: "One per line, UPPER_SNAKE_CASE. Values are write-only: once saved they are never shown again." })}
<p class="muted small">Each name has a value per channel. Draft calls use only draft values (developers set them); production calls use only production values (admins and owners set them). Publishing never copies values.</p>
${secretInputs.length ? html`<div class="secrets">${secretInputs}</div>` : html`<p class="muted small">Save the tool after adding names to enter their values.</p>`}
</div>
${o.editable ? html`<div class="actions"><button type="submit">${o.isNew ? "Create tool" : "Save draft"}</button></div>` : html`<p class="muted small">You can read this tool; developers and above can edit the draft.</p>`}
</fieldset></form>`;
}
