/**
 * The tool form's fields → a tool definition input for the draft service. Only the form's encoding lives
 * here (JSON text areas, one-per-line lists, checkboxes); the definition itself is validated by the
 * manifest contract in `src/projects/draft.ts`.
 */
import { ValidationError } from "../errors";
import type { ToolDefinition } from "../projects/manifest";

/** The MCP tool annotations the editor offers as checkboxes. */
export const ANNOTATION_HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

/** A JSON text area's value; a problem is added to `errors` (all of them are reported together). */
function json(fields: Record<string, string>, name: string, required: boolean, errors: Array<{ field: string; message: string }>): unknown {
  const text = (fields[name] ?? "").trim();
  if (!text) {
    if (required) errors.push({ field: name, message: "required" });
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    errors.push({ field: name, message: `not valid JSON (${(err as Error).message})` });
    return undefined;
  }
}

function lines(value: string | undefined): string[] {
  return (value ?? "").split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

function int(value: string | undefined): number | undefined {
  return value && value.trim() ? Number(value) : undefined;
}

/**
 * Code as typed: browsers send a text area's line breaks as CRLF (HTML, form submission: "constructing the entry list"), so a
 * script saved from the page would differ from the same script saved from the API or a manifest file.
 */
function source(value: string | undefined): string {
  return (value ?? "").replace(/\r\n?/g, "\n");
}

/** Builds the definition input from the posted form; JSON syntax errors are reported per field, all at once. */
export function toolFromForm(fields: Record<string, string>): Record<string, unknown> {
  const errors: Array<{ field: string; message: string }> = [];
  const def = definitionFromForm(fields, errors);
  const [first] = errors;
  if (first) throw new ValidationError(`${first.field}: ${first.message}`, errors);
  return def;
}

function definitionFromForm(fields: Record<string, string>, errors: Array<{ field: string; message: string }>): Record<string, unknown> {
  const annotations = Object.fromEntries(ANNOTATION_HINTS.filter((h) => fields[h] === "on").map((h) => [h, true]));
  const common = {
    name: (fields.name ?? "").trim(),
    title: fields.title?.trim() || undefined,
    description: fields.description ?? "",
    kind: fields.kind,
    inputSchema: json(fields, "inputSchema", true, errors),
    outputSchema: json(fields, "outputSchema", false, errors),
    annotations: Object.keys(annotations).length ? annotations : undefined,
    scope: fields.scope || undefined,
    allowedDomains: lines(fields.allowedDomains),
    secrets: lines(fields.secrets),
  };
  if (fields.kind === "interactive") return { ...common, html: source(fields.html) };
  if (fields.kind === "script") return { ...common, script: source(fields.script), timeoutMs: int(fields.timeoutMs), memoryMb: int(fields.memoryMb) };
  return { ...common, url: (fields.url ?? "").trim(), headers: json(fields, "headers", false, errors) ?? {}, timeoutMs: int(fields.timeoutMs) };
}

/** A definition back into form field text (for editing, or re-showing after a refused save). */
export function toolToForm(def: ToolDefinition): Record<string, string> {
  const out: Record<string, string> = {
    name: def.name,
    title: def.title ?? "",
    description: def.description,
    kind: def.kind,
    inputSchema: JSON.stringify(def.inputSchema, null, 2),
    outputSchema: def.outputSchema ? JSON.stringify(def.outputSchema, null, 2) : "",
    scope: def.scope ?? "",
    allowedDomains: def.allowedDomains.join("\n"),
    secrets: def.secrets.join("\n"),
  };
  for (const h of ANNOTATION_HINTS) if (def.annotations?.[h]) out[h] = "on";
  if (def.kind === "interactive") out.html = def.html;
  if (def.kind === "script") Object.assign(out, { script: def.script, timeoutMs: String(def.timeoutMs), memoryMb: String(def.memoryMb) });
  if (def.kind === "http") Object.assign(out, { url: def.url, headers: JSON.stringify(def.headers, null, 2), timeoutMs: String(def.timeoutMs) });
  return out;
}
