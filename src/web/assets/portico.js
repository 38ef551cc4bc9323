// Small enhancements only: every form works without this file.
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
// messages are matched by source window, not origin). Answers ui/initialize, then sends an empty tool input.
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
    reply({ method: "ui/notifications/tool-input", params: { arguments: {} } });
  } else if (msg.id !== undefined) {
    reply({ id: msg.id, error: { code: -32601, message: "Not available in the Portico preview" } });
  }
});
