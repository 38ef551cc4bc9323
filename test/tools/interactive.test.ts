import { afterAll, beforeAll, expect, test } from "bun:test";
import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from "@modelcontextprotocol/ext-apps/server";
import { ToolDefinitionSchema } from "../../src/projects/manifest";
import * as Ours from "../../src/tools/interactive";
import { toolMeta, uiResource, uiResourceListing, uiResourceUri } from "../../src/tools/interactive";
import { text, toolsHarness, type ToolsHarness } from "./fixtures";

let h: ToolsHarness;
beforeAll(async () => {
  h = await toolsHarness();
});
afterAll(() => h.close());

const def = ToolDefinitionSchema.parse({
  name: "show_forecast",
  title: "Forecast",
  kind: "interactive",
  html: "<!doctype html><html><head></head><body>hi</body></html>",
  allowedDomains: ["api.weather.example", "*.tiles.example"],
});
if (def.kind !== "interactive") throw new Error("fixture");

test("the UI resource URI is ui://org/project/tool", () => {
  expect(uiResourceUri("acme/shop", "show_forecast")).toBe("ui://acme/shop/show_forecast");
});

test("our MCP Apps constants are ext-apps' own (restated so serving does not load ext-apps)", () => {
  expect(Ours.RESOURCE_MIME_TYPE).toBe(RESOURCE_MIME_TYPE);
  expect(Ours.RESOURCE_URI_META_KEY).toBe(RESOURCE_URI_META_KEY);
});

test("the tool points at its UI in both the current and the legacy _meta key", () => {
  expect(toolMeta("acme/shop", def)).toEqual({ ui: { resourceUri: "ui://acme/shop/show_forecast" }, [RESOURCE_URI_META_KEY]: "ui://acme/shop/show_forecast" });
});

test("the resource carries the MCP Apps mime type, the HTML and a CSP built from the allowed domains", () => {
  const csp = { connectDomains: ["https://api.weather.example", "https://*.tiles.example"], resourceDomains: ["https://api.weather.example", "https://*.tiles.example"] };
  expect(uiResource("acme/shop", def)).toEqual({ uri: "ui://acme/shop/show_forecast", mimeType: RESOURCE_MIME_TYPE, text: def.html, _meta: { ui: { csp } } });
  expect(RESOURCE_MIME_TYPE).toBe("text/html;profile=mcp-app");
  expect(uiResourceListing("acme/shop", def)).toMatchObject({ uri: "ui://acme/shop/show_forecast", name: "show_forecast", title: "Forecast", mimeType: RESOURCE_MIME_TYPE });
});

test("a call returns the validated input as structuredContent plus a text fallback", async () => {
  const out = await h.call(def, { city: "Lyon" });
  expect(out.errorClass).toBeUndefined();
  expect(out.result.structuredContent).toEqual({ city: "Lyon" });
  expect(text(out)).toBe('Forecast: {"city":"Lyon"}');
});
