// Small enhancements only: every form works without this file.
// The code editor (CodeMirror, bundled by Portico: /assets/editor.js) is loaded only on pages that have a
// text area marked for it (the tool form); it enhances them in place and writes back to them.
if (document.querySelector("textarea[data-editor]")) {
  const editor = document.createElement("script");
  editor.src = "/assets/editor.js";
  document.head.append(editor);
}
document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    navigator.clipboard?.writeText(copy.getAttribute("data-copy")).then(() => {
      const before = copy.textContent;
      copy.textContent = "Copied";
      setTimeout(() => (copy.textContent = before), 1200);
    });
  }
});
// A URL name (slug) follows the name typed beside it (input[data-slug-from] names the name field's id),
// the same rule as the server's slugify (src/projects/slugs.ts), until the user edits the slug themselves.
const slugify = (name) =>
  name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48);
document.addEventListener("input", (event) => {
  const input = event.target;
  if (input.matches?.("input[data-slug-from]")) {
    input.dataset.edited = input.value ? "1" : "";
    return;
  }
  if (!input.id) return;
  for (const slug of document.querySelectorAll(`input[data-slug-from="${CSS.escape(input.id)}"]`)) {
    if (!slug.dataset.edited) slug.value = slugify(input.value);
  }
});
// A post in flight: its submit button is disabled and says so ("Saving…", or the button's data-busy), so a
// second click cannot send it twice. Disabled on the next tick, after the browser has read the form (a
// disabled submitter would drop its own name=value, e.g. the consent page's decision).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  if ((form.getAttribute("method") ?? "get").toLowerCase() !== "post") return;
  if (form.dataset.busy) {
    event.preventDefault();
    return;
  }
  form.dataset.busy = "1";
  const button = event.submitter ?? form.querySelector("button[type=submit], button:not([type])");
  setTimeout(() => {
    if (!button) return;
    button.dataset.label = button.textContent;
    button.textContent = button.getAttribute("data-busy") ?? "Saving…";
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  });
});
// Back to a page kept in the browser's memory: its forms are ready again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-busy]")) delete form.dataset.busy;
  for (const button of document.querySelectorAll("button[aria-busy=true]")) {
    button.textContent = button.dataset.label ?? button.textContent;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
});
// Interactive-tool preview: a minimal MCP Apps host for the sandboxed srcdoc frame (opaque origin, so
// messages are matched by source window, not origin). Answers ui/initialize, then sends the tool input —
// and, after a test run on the tool page, the tool result (data-tool-input / data-tool-result) — else `{}`.
window.addEventListener("message", (event) => {
  const frame = document.querySelector("iframe[data-mcp-preview]");
  if (!frame || event.source !== frame.contentWindow) return;
  const msg = event.data;
  if (!msg || msg.jsonrpc !== "2.0" || typeof msg.method !== "string") return;
  const reply = (body) => frame.contentWindow.postMessage({ jsonrpc: "2.0", ...body }, "*");
  if (msg.method === "ui/initialize" && msg.id !== undefined) {
    reply({ id: msg.id, result: {
      protocolVersion: msg.params?.protocolVersion ?? "2026-01-26",
      hostInfo: { name: "Portico preview", version: "1" },
      hostCapabilities: {},
      hostContext: { theme: "light", displayMode: "inline", platform: "web" },
    } });
  } else if (msg.method === "ui/notifications/initialized") {
    const data = (name) => {
      try {
        return JSON.parse(frame.getAttribute(name));
      } catch {
        return null;
      }
    };
    reply({ method: "ui/notifications/tool-input", params: { arguments: data("data-tool-input") ?? {} } });
    const result = data("data-tool-result");
    if (result) reply({ method: "ui/notifications/tool-result", params: result });
  } else if (msg.id !== undefined) {
    reply({ id: msg.id, error: { code: -32601, message: "Not available in the Portico preview" } });
  }
});
