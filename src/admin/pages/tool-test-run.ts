/**
 * The tool page's "Test run" card (issue 16 #2): sample JSON input, a Run button, and — after the POST,
 * its redirect and the GET (src/admin/one-time.ts) — the result as a host on the draft URL would receive
 * it: content, structured content, isError, logs. The run itself is `tools.test-run`
 * (src/services/tool-test-run.ts); this file only renders.
 */
import type { TestRunResult } from "../../services/tool-test-run";
import { html, type Html } from "../../web/html";
import { csrfField } from "../ui";

/** Kinds of the one-time values a test run hands from the POST to the page, and from the page to the preview. */
export const TEST_RUN = "test-run";
export const TEST_RUN_PREVIEW = "test-run-preview";

/** What the card shows: the input to put in the box, a refusal beside it, or the last run's result. */
export interface TestRunState {
  input: string;
  error?: string;
  run?: TestRunResult | null;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * The most of a result the page holds for the redirect (src/admin/one-time.ts keeps up to 1,000 notices in
 * memory; a handler may return 1 MB): a larger result is replaced by a note, its start is in the audit log.
 */
export const HOLD_MAX_CHARS = 256 * 1024;

/** The run as the page holds and shows it: unchanged, or with a too-large result replaced by a note. */
export function heldRun(run: TestRunResult): TestRunResult {
  const size = JSON.stringify(run.result).length;
  if (size <= HOLD_MAX_CHARS) return run;
  const note = `The result is ${Math.ceil(size / 1024)} KB, too large to show here; the audit log keeps its first 64 KB.`;
  return { ...run, result: { content: [{ type: "text", text: note }], ...(run.result.isError ? { isError: true } : {}) } };
}

function contentItem(item: TestRunResult["result"]["content"][number]): Html {
  if (item.type === "text") return html`<pre class="test-text">${item.text}</pre>`;
  return html`<pre class="test-item">${pretty(item)}</pre>`;
}

/** A run's result as a host would receive it (the test run card, and the draft side of a replay). */
export function resultView(run: TestRunResult): Html {
  const failed = run.result.isError === true;
  const badge = failed
    ? html`<span class="badge err">isError${run.errorClass ? html` · ${run.errorClass}` : ""}</span>`
    : html`<span class="badge ok">ok</span>`;
  const content = run.result.content.length ? run.result.content.map(contentItem) : html`<p class="muted small">No content.</p>`;
  const structured = run.result.structuredContent !== undefined
    ? html`<h3>Structured content</h3><pre class="test-structured">${pretty(run.result.structuredContent)}</pre>`
    : "";
  const logs = run.logs.length ? html`<h3>Logs</h3><pre class="test-logs">${run.logs.join("\n")}</pre>` : "";
  return html`<section class="test-result" aria-label="Test run result"><h3>Result</h3>
<p class="test-status">${badge} <span class="muted small">${run.durationMs} ms, on the draft channel</span></p>
<h3>Content</h3>${content}${structured}${logs}</section>`;
}

/** The card; `action` is the POST route of this tool's test run. */
export function testRunCard(action: string, csrf: string, s: TestRunState): Html {
  const invalid = s.error ? html` aria-invalid="true" aria-describedby="e-arguments"` : html``;
  return html`<div class="card" id="test-run"><h2>Test run</h2>
<p class="muted small">Runs the saved draft tool once with this input, as a call on the draft URL would: draft secret values only, never production's. Each run is recorded in the audit log as a test run.</p>
<form method="post" action="${action}">${csrfField(csrf)}
<label for="t-arguments">Input (JSON)</label><textarea id="t-arguments" name="arguments" rows="6" class="code" spellcheck="false" data-editor="json"${invalid}>${s.input}</textarea>
${s.error ? html`<div class="field-error" id="e-arguments">${s.error}</div>` : ""}
<div class="actions"><button type="submit">Run test</button></div></form>
${s.run ? resultView(s.run) : ""}</div>`;
}
