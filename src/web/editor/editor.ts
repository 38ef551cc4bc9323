/**
 * The code editor of the tool form (issue 16 #2: "edit scripts, HTML and JSON schemas in a real code
 * editor … with highlighting and errors"): CodeMirror 6, bundled by Portico itself into /assets/editor.js
 * (editor-source.ts; no CDN) and loaded by portico.js only on pages with a `textarea[data-editor]`.
 *
 * Progressive enhancement: each such textarea stays the form field. The editor sits beside it, the
 * textarea is hidden, and every change is written back to it, so the form posts exactly what was typed —
 * and without JavaScript the plain textarea is the editor. Errors: JSON fields are linted by JSON.parse,
 * scripts by the JavaScript parser's error nodes, and a syntax error the server refused a save with
 * ("line 2, column 13", src/tools/sandbox/syntax.ts) is marked where it is.
 */
import { basicSetup } from "codemirror";
import { html } from "@codemirror/lang-html";
import { javascript } from "@codemirror/lang-javascript";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { ensureSyntaxTree, type LanguageSupport } from "@codemirror/language";
import { lintGutter, linter, type Diagnostic } from "@codemirror/lint";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

type Mode = "javascript" | "html" | "json";

/** Parser error nodes of a JavaScript document, as lint diagnostics. */
function javascriptErrors(view: EditorView): Diagnostic[] {
  const tree = ensureSyntaxTree(view.state, view.state.doc.length, 200);
  if (!tree) return [];
  const found: Diagnostic[] = [];
  tree.iterate({
    enter: (node) => {
      if (!node.type.isError || found.length >= 20) return;
      const to = Math.min(view.state.doc.length, Math.max(node.to, node.from + 1));
      found.push({ from: node.from, to, severity: "error", message: "Syntax error" });
    },
  });
  return found;
}

/** Each mode's language and the errors its own parser finds. */
const MODES: Record<Mode, { language: () => Extension; errors: (view: EditorView) => Diagnostic[] }> = {
  javascript: { language: () => javascript(), errors: javascriptErrors },
  html: { language: () => html() as LanguageSupport, errors: () => [] },
  // An empty JSON field is an optional one left out (the output schema), not a parse error.
  json: { language: () => json(), errors: (view) => (view.state.doc.toString().trim() ? jsonParseLinter()(view) : []) },
};

/** The refusal shown beside the field ("syntax error at line 2, column 13: …") as a diagnostic at that place. */
function serverError(textarea: HTMLTextAreaElement, state: EditorState): Diagnostic[] {
  const id = textarea.getAttribute("aria-describedby");
  const text = id ? document.getElementById(id)?.textContent ?? "" : "";
  const at = /line (\d+), column (\d+)/.exec(text);
  if (!at) return [];
  const lineNo = Math.min(Number(at[1]), state.doc.lines);
  const line = state.doc.line(Math.max(1, lineNo));
  const from = Math.min(line.to, line.from + Math.max(0, Number(at[2]) - 1));
  return [{ from, to: Math.min(state.doc.length, from + 1), severity: "error", message: text }];
}

/** Inside the shadow root the page's stylesheet does not apply: the editor's own look, as a theme. */
const THEME = EditorView.theme({
  "&": { fontSize: "13px", maxHeight: "40em", backgroundColor: "#fff" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", overflow: "auto" },
});

function enhance(textarea: HTMLTextAreaElement): void {
  const mode = textarea.dataset.editor as Mode;
  if (!(mode in MODES) || textarea.dataset.enhanced) return;
  textarea.dataset.enhanced = "true";
  const readOnly = textarea.disabled || textarea.readOnly || textarea.closest("fieldset[disabled]") !== null;
  const label = textarea.id ? document.querySelector(`label[for="${textarea.id}"]`)?.textContent?.trim() : undefined;
  const rows = Number(textarea.getAttribute("rows")) || 8;
  // The server's refusal is about the text it was sent: shown until that text is changed.
  const sent = textarea.value;
  const lint = linter((view) => [...MODES[mode].errors(view), ...(view.state.doc.toString() === sent ? serverError(textarea, view.state) : [])], { delay: 400 });
  const wrapper = document.createElement("div");
  wrapper.className = "code-editor";
  wrapper.dataset.editorFor = textarea.name;
  wrapper.style.minHeight = `${Math.max(4, rows) * 1.45 + 0.6}em`;
  // CodeMirror styles itself with generated CSS. In a document it would add a <style> element, which the
  // pages' CSP (style-src 'self', src/web/layout.ts) refuses; in a shadow root it uses a constructed
  // stylesheet (adoptedStyleSheets), which CSP does not govern — so the CSP stays as strict as it is.
  const root = wrapper.attachShadow({ mode: "open" });
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        basicSetup,
        MODES[mode].language(),
        lint,
        lintGutter(),
        EditorView.lineWrapping,
        EditorState.tabSize.of(2),
        THEME,
        EditorState.readOnly.of(readOnly),
        EditorView.editable.of(!readOnly),
        EditorView.contentAttributes.of({ "aria-label": label ?? textarea.name, ...(textarea.getAttribute("aria-invalid") ? { "aria-invalid": "true" } : {}) }),
        // The textarea stays the form field: every change is written back at once.
        EditorView.updateListener.of((u) => {
          if (u.docChanged) textarea.value = u.state.doc.toString();
        }),
      ],
    }),
  });
  textarea.after(wrapper);
  textarea.hidden = true;
  // Clicking the field's label focuses the editor, as it focused the textarea.
  if (textarea.id) {
    document.querySelector(`label[for="${textarea.id}"]`)?.addEventListener("click", (event) => {
      event.preventDefault();
      view.focus();
    });
  }
}

for (const textarea of document.querySelectorAll<HTMLTextAreaElement>("textarea[data-editor]")) enhance(textarea);
