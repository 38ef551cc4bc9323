/**
 * Issue 16 #2, "Test a tool without leaving the page", walked in a real browser (Debian's chromium via
 * playwright-core) as a developer would: a script with a syntax error is refused with its line; a test run
 * shows the result on the page; an interactive tool's preview renders the test run's result instead of
 * waiting forever; scripts, HTML and JSON are edited in a code editor (CodeMirror, served by Portico) that
 * saves what was typed. Screenshots go to test-output/tool-test-run/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type Page } from "playwright-core";
import { createDraftTool, getDraftTool, listDraftTools } from "../../src/projects/draft";
import type { startTestServer } from "../helpers";
import { fillCode, startBrowserWorld, stopBrowserWorld, type BrowserWorld, signedInPage, clickAndLoad } from "./browser-world";
import type { SignedInWorld, Who } from "../fixtures/world";

const SHOTS = join(import.meta.dir, "../../test-output/tool-test-run");
const TIMEOUT = 60_000;

let world: Partial<BrowserWorld> = {};
let server: Awaited<ReturnType<typeof startTestServer>>;
let w: SignedInWorld;
let browser: Browser;

const url = (path: string) => `${server.url}${path}`;
const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

const as = (who: Who) => signedInPage(world as BrowserWorld, who);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await startBrowserWorld();
  ({ server, w, browser } = world as BrowserWorld);
}, TIMEOUT);

afterAll(() => stopBrowserWorld(world));

describe("issue 16 #2: a script is checked when it is saved", () => {
  test("a script with a syntax error is refused with the line; fixed, it saves", async () => {
    const { context, page } = await as("developer");
    await page.goto(url("/admin/acme/shop/tools/new?kind=script"));
    await page.locator("#t-name").fill("broken");
    await fillCode(page, "script", "export default async (input) => {\n  const x = ;\n  return x;\n};\n");
    await clickAndLoad(page, page.getByRole("button", { name: "Create tool" }));
    expect(await page.locator("#e-script").innerText()).toBe("syntax error at line 2, column 13: unexpected token in expression: ';'");
    expect(await page.locator("#t-script").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("body").innerText()).not.toContain("Saved to the draft");
    expect(await listDraftTools(server.deps, w.project.id)).toEqual([]);
    await shot(page, "01-syntax-error-refused");
    // What was typed is still there: the developer fixes the one line and saves.
    await fillCode(page, "script", "export default async (input) => {\n  const x = 1;\n  return { x };\n};\n");
    await clickAndLoad(page, page.getByRole("button", { name: "Create tool" }));
    expect(await page.locator("body").innerText()).toContain("Saved to the draft");
    expect(await getDraftTool(server.deps, w.project.id, "broken")).toMatchObject({ kind: "script", script: "export default async (input) => {\n  const x = 1;\n  return { x };\n};\n" });
    await context.close();
  }, TIMEOUT);
});

/** A minimal MCP Apps view: it asks to initialize, then shows the tool result's title when it arrives. */
const CARD_HTML = `<!doctype html><html><body><h1 id="t">waiting for data</h1><script>
window.addEventListener("message", (e) => {
  const m = e.data;
  if (m && m.id === 1 && m.result) window.parent.postMessage({ jsonrpc: "2.0", method: "ui/notifications/initialized" }, "*");
  if (m && m.method === "ui/notifications/tool-result") document.getElementById("t").textContent = "Showing " + m.params.structuredContent.title;
});
window.parent.postMessage({ jsonrpc: "2.0", id: 1, method: "ui/initialize", params: { protocolVersion: "2026-01-26", appInfo: { name: "t", version: "1" }, appCapabilities: {} } }, "*");
</script></body></html>`;

describe("issue 16 #2: a test run from the tool page", () => {
  test("a test run shows the result: content, structured content and logs, then the audit log names it a test run", async () => {
    await createDraftTool(server.deps, w.project.id, {
      name: "greet", kind: "script", description: "Greets.",
      inputSchema: { type: "object", properties: { who: { type: "string", default: "Ada" } }, required: ["who"] },
      script: "export default async (input, env) => { env.log('greeting ' + input.who); return { greeting: 'Hello ' + input.who }; };",
    });
    const { context, page } = await as("developer");
    await page.goto(url("/admin/acme/shop/tools/greet"));
    expect(JSON.parse(await page.locator("#t-arguments").inputValue())).toEqual({ who: "Ada" });
    await fillCode(page, "arguments", '{"who": "Grace"}');
    await clickAndLoad(page, page.getByRole("button", { name: "Run test" }));
    const result = page.getByRole("region", { name: "Test run result" });
    expect(await result.locator(".test-status .badge").innerText()).toBe("ok");
    expect(JSON.parse(await result.locator(".test-structured").innerText())).toEqual({ greeting: "Hello Grace" });
    expect(await result.locator(".test-logs").innerText()).toBe("info: greeting Grace");
    expect(JSON.parse(await page.locator("#t-arguments").inputValue())).toEqual({ who: "Grace" });
    await shot(page, "02-test-run-result");
    // Wrong input is refused beside the box, naming the field.
    await fillCode(page, "arguments", "{}");
    await clickAndLoad(page, page.getByRole("button", { name: "Run test" }));
    expect(await page.locator("#e-arguments").innerText()).toContain('missing required field "who"');
    await page.goto(url("/admin/acme/shop/audit"));
    expect(await page.locator("table").innerText()).toContain("test run from the tool page");
    await context.close();
  }, TIMEOUT);

  test("an interactive tool's preview renders the test run's result instead of waiting forever", async () => {
    await createDraftTool(server.deps, w.project.id, {
      name: "card", kind: "interactive", description: "Shows a card.",
      inputSchema: { type: "object", properties: { title: { type: "string", examples: ["Shoes"] } } },
      html: CARD_HTML,
    });
    const { context, page } = await as("developer");
    await page.goto(url("/admin/acme/shop/tools/card"));
    const app = () => page.frameLocator("iframe.preview-frame").frameLocator("iframe.preview-app").locator("#t");
    // Before any test run the app gets no result (the preview has no data to give it).
    expect(await app().innerText()).toBe("waiting for data");
    await clickAndLoad(page, page.getByRole("button", { name: "Run test" }));
    await app().filter({ hasText: "Showing" }).waitFor();
    expect(await app().innerText()).toBe("Showing Shoes");
    await shot(page, "03-preview-with-test-run-result");
    await context.close();
  }, TIMEOUT);
});

describe("issue 16 #2: a real code editor on the tool form", () => {
  test("the editor appears on the script, schemas and test input, marks errors, and the form saves what was typed", async () => {
    const { context, page } = await as("developer");
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text());
    });
    const assets: string[] = [];
    page.on("request", (r) => assets.push(new URL(r.url()).host));
    await page.goto(url("/admin/acme/shop/tools/new?kind=script"));
    const script = page.locator('.code-editor[data-editor-for="script"] .cm-content');
    await script.waitFor();
    expect(await page.locator("#t-script").isHidden()).toBe(true);
    expect(await page.locator('.code-editor[data-editor-for="inputSchema"] .cm-content').count()).toBe(1);
    // Highlighting: the starter script's keywords are styled tokens, not plain text.
    expect(await page.locator('.code-editor[data-editor-for="script"] .cm-line span').count()).toBeGreaterThan(3);
    await page.locator("#t-name").fill("typed");
    await script.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    const typed = 'export default async (input) => ({ typed: input.x ?? "in the editor" });';
    await page.keyboard.type(typed);
    // The JSON schema editor lints as you type: a missing brace is marked.
    const schema = page.locator('.code-editor[data-editor-for="inputSchema"] .cm-content');
    await schema.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Backspace");
    await page.locator('.code-editor[data-editor-for="inputSchema"] .cm-lint-marker-error').waitFor();
    await shot(page, "04-editor-json-error");
    // An optional JSON field left empty is not an error.
    expect(await page.locator('.code-editor[data-editor-for="outputSchema"] .cm-lint-marker-error').count()).toBe(0);
    await page.keyboard.type("}");
    await page.locator('.code-editor[data-editor-for="inputSchema"] .cm-lint-marker-error').waitFor({ state: "detached" });
    await clickAndLoad(page, page.getByRole("button", { name: "Create tool" }));
    expect(await page.locator("body").innerText()).toContain("Saved to the draft");
    expect(((await getDraftTool(server.deps, w.project.id, "typed")) as { script: string }).script).toBe(typed);
    // The saved tool opens in the editor again, and its test input box is an editor too.
    await page.locator('.code-editor[data-editor-for="arguments"] .cm-content').waitFor();
    expect(await page.locator('.code-editor[data-editor-for="script"] .cm-content').innerText()).toBe(typed);
    expect(blocked).toEqual([]);
    expect([...new Set(assets)]).toEqual([new URL(server.url).host]);
    await context.close();
  }, TIMEOUT);

  test("a syntax error the server refused is marked in the editor; without JavaScript the plain text area still saves", async () => {
    const { context, page } = await as("developer");
    await page.goto(url("/admin/acme/shop/tools/new?kind=script"));
    await page.locator('.code-editor[data-editor-for="script"] .cm-content').waitFor();
    await page.locator("#t-name").fill("refused");
    await page.locator('.code-editor[data-editor-for="script"] .cm-content').click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("export default 1 +;");
    await clickAndLoad(page, page.getByRole("button", { name: "Create tool" }));
    expect(await page.locator("#e-script").innerText()).toContain("syntax error at line 1, column 19");
    await page.locator('.code-editor[data-editor-for="script"] .cm-lint-marker-error').waitFor();
    await shot(page, "05-editor-server-error");
    await context.close();

    const plain = await browser.newContext({ javaScriptEnabled: false });
    const [name, value] = w.members.developer.cookie.split("=") as [string, string];
    await plain.addCookies([{ name, value: decodeURIComponent(value), url: server.url }]);
    const p = await plain.newPage();
    await p.goto(url("/admin/acme/shop/tools/new?kind=script"));
    expect(await p.locator(".code-editor").count()).toBe(0);
    await p.locator("#t-name").fill("plain");
    await p.locator("#t-script").fill("export default () => ({ plain: true });");
    await clickAndLoad(p, p.getByRole("button", { name: "Create tool" }));
    expect(((await getDraftTool(server.deps, w.project.id, "plain")) as { script: string }).script).toBe("export default () => ({ plain: true });");
    await plain.close();
  }, TIMEOUT);
});
