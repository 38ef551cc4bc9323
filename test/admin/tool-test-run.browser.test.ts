/**
 * Issue 16 #2, "Test a tool without leaving the page", walked in a real browser (Debian's chromium via
 * playwright-core) as a developer would: a script with a syntax error is refused with its line. Screenshots
 * go to test-output/tool-test-run/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { getDraftTool, listDraftTools } from "../../src/projects/draft";
import type { startTestServer } from "../helpers";
import { startBrowserWorld, stopBrowserWorld, type BrowserWorld } from "./browser-world";
import type { SignedInWorld, Who } from "../fixtures/world";

const SHOTS = join(import.meta.dir, "../../test-output/tool-test-run");
const TIMEOUT = 60_000;

let world: Partial<BrowserWorld> = {};
let server: Awaited<ReturnType<typeof startTestServer>>;
let w: SignedInWorld;
let browser: Browser;

const url = (path: string) => `${server.url}${path}`;
const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** A browser context already signed in as `who` (the seeded session cookie). */
async function as(who: Who): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const [name, value] = w.members[who].cookie.split("=") as [string, string];
  await context.addCookies([{ name, value: decodeURIComponent(value), url: server.url }]);
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  return { context, page };
}

/** Clicks something that navigates, and waits until the next page has loaded. */
async function clickAndLoad(p: Page, target: ReturnType<Page["locator"]>) {
  await Promise.all([p.waitForNavigation({ waitUntil: "load" }), target.click()]);
}

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
    await page.locator("#t-script").fill("export default async (input) => {\n  const x = ;\n  return x;\n};\n");
    await clickAndLoad(page, page.getByRole("button", { name: "Create tool" }));
    expect(await page.locator("#e-script").innerText()).toBe("syntax error at line 2, column 13: unexpected token in expression: ';'");
    expect(await page.locator("#t-script").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("body").innerText()).not.toContain("Saved to the draft");
    expect(await listDraftTools(server.deps, w.project.id)).toEqual([]);
    await shot(page, "01-syntax-error-refused");
    // What was typed is still there: the developer fixes the one line and saves.
    await page.locator("#t-script").fill("export default async (input) => {\n  const x = 1;\n  return { x };\n};\n");
    await clickAndLoad(page, page.getByRole("button", { name: "Create tool" }));
    expect(await page.locator("body").innerText()).toContain("Saved to the draft");
    expect(await getDraftTool(server.deps, w.project.id, "broken")).toMatchObject({ kind: "script" });
    await context.close();
  }, TIMEOUT);
});
