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
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
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
