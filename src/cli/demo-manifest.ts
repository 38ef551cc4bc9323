/**
 * The demo project's manifest: instructions, a script tool (runs in the sandbox), a script tool that asks
 * the user before it acts (`env.confirm`) and an interactive tool (an MCP Apps UI with a text fallback). Plain data in the documented manifest format, so it doubles as
 * an example for `portico project import`.
 */
import type { z } from "zod";
import type { ManifestSchema } from "../projects/manifest";

const PALETTE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Palette</title>
<style>
body{font:14px system-ui,sans-serif;margin:12px;color:#1d1d1f}
.row{display:flex;gap:8px;flex-wrap:wrap}.sw{width:88px;border:1px solid #ddd;border-radius:8px;overflow:hidden}
.sw div{height:56px}.sw span{display:block;padding:4px 6px;font:12px ui-monospace,monospace}
</style></head>
<body><h3 id="title">Palette</h3><div class="row" id="row">Waiting for the tool result…</div>
<script>
// MCP Apps: the host sends the tool result as a JSON-RPC notification over postMessage.
let nextId = 1;
const send = (msg) => window.parent.postMessage({ jsonrpc: "2.0", ...msg }, "*");
function render(data) {
  if (!data || !Array.isArray(data.colors)) return;
  document.getElementById("title").textContent = data.name || "Palette";
  const row = document.getElementById("row");
  row.textContent = "";
  for (const c of data.colors) {
    const sw = document.createElement("div"); sw.className = "sw";
    const fill = document.createElement("div"); fill.style.background = c;
    const label = document.createElement("span"); label.textContent = c;
    sw.append(fill, label); row.append(sw);
  }
}
window.addEventListener("message", (e) => {
  const m = e.data || {};
  if (m.method === "ui/notifications/tool-result") render(m.params && m.params.structuredContent);
  if (m.method === "ui/notifications/tool-input") render(m.params && m.params.arguments);
});
send({ id: nextId++, method: "ui/initialize", params: { appInfo: { name: "palette", version: "1.0.0" }, appCapabilities: {}, protocolVersion: "2025-06-18" } });
send({ method: "ui/notifications/initialized" });
</script></body></html>`;

const WORD_STATS_SCRIPT = `export default async (input, env) => {
  const words = input.text.split(/\\s+/).filter(Boolean);
  env.log("info", "counting " + words.length + " words");
  const longest = words.reduce((a, w) => (w.length > a.length ? w : a), "");
  return { words: words.length, characters: input.text.length, longest };
};`;

// Ask before you act: the call runs again from the start once the user answers, so nothing happens before the question.
// Single quotes around the strings: a \" in this template literal would reach the script as a bare ", which
// ended the string there (the script never parsed; the save-time syntax check of issue 16 #2 found it).
const DELETE_NOTE_SCRIPT = `export default async (input, env) => {
  const ok = await env.confirm('Delete the note "' + input.title + '"? This cannot be undone.');
  if (!ok) return 'Kept the note "' + input.title + '".';
  env.log("info", "deleting " + input.title);
  return 'Deleted the note "' + input.title + '" (a demo: there was nothing to delete).';
};`;

/** The demo project's draft, imported with `importManifest` and then published. */
export const DEMO_MANIFEST: z.input<typeof ManifestSchema> = {
  instructions:
    "This is Portico's demo project. Use word_stats to count words in a text, show_palette to show a set of colors to the user as swatches, and delete_note to delete a note (it asks the user to confirm first).",
  tools: [
    {
      name: "word_stats",
      title: "Word statistics",
      kind: "script",
      description: "Counts the words and characters of a text and finds its longest word.",
      inputSchema: { type: "object", properties: { text: { type: "string", description: "The text to measure" } }, required: ["text"] },
      outputSchema: {
        type: "object",
        properties: { words: { type: "integer" }, characters: { type: "integer" }, longest: { type: "string" } },
        required: ["words", "characters", "longest"],
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      script: WORD_STATS_SCRIPT,
      timeoutMs: 2000,
      memoryMb: 32,
    },
    {
      name: "delete_note",
      title: "Delete a note",
      kind: "script",
      description: "Deletes a note after the user confirms (shows how a script tool asks: env.confirm).",
      inputSchema: { type: "object", properties: { title: { type: "string", description: "The note's title" } }, required: ["title"] },
      annotations: { destructiveHint: true, openWorldHint: false },
      script: DELETE_NOTE_SCRIPT,
      timeoutMs: 2000,
      memoryMb: 32,
    },
    {
      name: "show_palette",
      title: "Show a color palette",
      kind: "interactive",
      description: "Shows colors to the user as swatches (with a text list for hosts without MCP Apps).",
      inputSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "Palette name" },
          colors: { type: "array", items: { type: "string", description: "CSS color, e.g. #2f5bd3" }, minItems: 1, maxItems: 12 },
        },
        required: ["colors"],
      },
      annotations: { readOnlyHint: true },
      html: PALETTE_HTML,
    },
  ],
  prompts: [
    {
      name: "summarize_stats",
      description: "Ask for word statistics of a text and a one-line summary.",
      arguments: [{ name: "text", required: true, description: "The text" }],
      template: "Use word_stats on the following text, then summarize it in one line:\n\n{{text}}",
    },
  ],
};
