/**
 * An interactive tool's UI renders in a real browser the way an MCP Apps host shows it: a host page
 * (the official AppBridge) puts the `ui://` resource in a sandboxed iframe under the resource's CSP,
 * answers `ui/initialize`, then sends the call's result; the UI (the official App client) shows the data.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ToolDefinitionSchema } from "../../src/projects/manifest";
import { uiResource } from "../../src/tools/interactive";
import { toolsHarness, type ToolsHarness } from "./fixtures";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`ui-render: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** Bundles a browser entry into one inline-safe module script. */
async function bundle(entry: string): Promise<string> {
  const out = await Bun.build({ entrypoints: [join(import.meta.dir, "fixtures", entry)], target: "browser", minify: true });
  if (!out.success) throw new Error(out.logs.map(String).join("\n"));
  return (await out.outputs[0]!.text()).replaceAll("</script", "<\\/script");
}

let h: ToolsHarness;
let browser: Browser | undefined;
beforeAll(async () => {
  h = await toolsHarness();
  if (hasChromium) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  }
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

test.skipIf(!hasChromium)("the tool's UI receives the tool result over postMessage and shows the data", async () => {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Forecast</title></head><body><div id="out">waiting for data</div><script type="module">${await bundle("ui-app.ts")}</script></body></html>`;
  const def = ToolDefinitionSchema.parse({
    name: "show_forecast",
    title: "Forecast",
    kind: "interactive",
    html,
    inputSchema: { type: "object", properties: { city: { type: "string" } } },
    allowedDomains: ["api.weather.example"],
  });
  if (def.kind !== "interactive") throw new Error("fixture");
  const input = { city: "Lyon", days: [{ day: "Mon", temp: 21 }, { day: "Tue", temp: 18 }] };
  const outcome = await h.call(def, input);
  const resource = uiResource("acme/weather", def);

  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.setContent(`<!doctype html><html><body><script type="module">${await bundle("ui-host.ts")}</script></body></html>`);
  await page.waitForFunction(() => "showMcpApp" in globalThis);
  await page.evaluate(([r, i, res]) => (globalThis as any).showMcpApp(r, i, res), [resource, input, outcome.result] as const);

  const frame = page.frameLocator("iframe");
  await frame.locator("body[data-state=rendered]").waitFor({ timeout: 10_000 });
  expect(await frame.locator("h1").textContent()).toBe("Lyon");
  expect(await frame.locator("li").allTextContents()).toEqual(["Mon: 21°C", "Tue: 18°C"]);
  expect(await page.locator("iframe").getAttribute("sandbox")).toBe("allow-scripts");
  expect(errors).toEqual([]);
  await page.close();
}, 30_000);
