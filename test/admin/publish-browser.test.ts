/**
 * Issue 16 #4 and #5 in a real browser (Debian's chromium via playwright-core): Publish is disabled while
 * the draft matches production; an instructions edit shows in the diff and publishes; the diff names the
 * changed parts of a tool; a rollback names its version and the page says production serves it while the
 * draft is ahead, with Publish enabled again. Screenshots go to test-output/publish/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { createDraftTool, updateDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { startTestServer } from "../helpers";
import { seedWorld, type SignedInWorld } from "../fixtures/world";

const SHOTS = join(import.meta.dir, "../../test-output/publish");
const TIMEOUT = 60_000;
let server: Awaited<ReturnType<typeof startTestServer>>;
let w: SignedInWorld;
let browser: Browser;
let page: Page;
let step = 0;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, "0")}-${name}.png`), fullPage: true });
const publishPage = () => `${server.url}/admin/acme/shop/publish`;
const standing = () => page.locator("p.standing").innerText();
const publishButton = () => page.getByRole("button", { name: "Publish to production" });

async function clickAndLoad(target: ReturnType<Page["locator"]>) {
  const navigated = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  await target.click();
  await navigated;
  await page.waitForLoadState("load");
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startTestServer();
  w = await seedWorld(server.deps);
  await createDraftTool(server.deps, w.project.id, { name: "lookup", kind: "script", description: "Looks up.", script: "export default async () => ({})" });
  await publish(server.deps, w.project.id, w.users.admin.id); // v1
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const [name, value] = w.members.admin.cookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the publish page tells the truth", () => {
  test("Publish is disabled while the draft matches what production serves", async () => {
    await page.goto(publishPage());
    expect(await standing()).toBe("Production serves v1; the draft matches it. Nothing to publish.");
    expect(await publishButton().isDisabled()).toBe(true);
    await shot("nothing-to-publish");
  }, TIMEOUT);

  test("an instructions save shows in the diff; the tool diff names what changed; publishing names the version", async () => {
    await page.goto(`${server.url}/admin/acme/shop/instructions`);
    await page.fill("#i-text", "Use lookup before answering.");
    await clickAndLoad(page.getByRole("button", { name: "Save instructions" }));
    expect(await page.locator("[role=status], .flash, .notice").first().innerText()).toContain("Saved to the draft");
    await updateDraftTool(server.deps, w.project.id, "lookup", { description: "Finds things.", script: "export default async () => ({ ok: true })" });
    await page.goto(publishPage());
    expect(await standing()).toBe("Production serves v1; the draft is ahead.");
    const diff = await page.locator(".card .diff").first().innerText();
    expect(diff).toContain("lookup (description, code)");
    expect(diff).toContain("instructions changed");
    expect(await publishButton().isDisabled()).toBe(false);
    await shot("draft-ahead");
    await clickAndLoad(publishButton());
    expect(await page.getByText("Published v2.").count()).toBe(1);
    expect(await standing()).toBe("Production serves v2; the draft matches it. Nothing to publish.");
    expect(await publishButton().isDisabled()).toBe(true);
    await shot("published-v2");
    await clickAndLoad(page.getByRole("link", { name: "v2", exact: true }));
    expect(await page.locator("pre").first().innerText()).toBe("Use lookup before answering.");
    await shot("version-2");
    await page.goto(publishPage());
  }, TIMEOUT);

  test("a rollback names its version; the page says the draft is ahead and Publish is enabled", async () => {
    await clickAndLoad(page.getByRole("button", { name: "Serve v1" }));
    expect(await page.getByText("Rolled back: production now serves v1.").count()).toBe(1);
    expect(await standing()).toBe("Production serves v1 (rolled back; v2 is the newest version); the draft is ahead.");
    expect(await publishButton().isDisabled()).toBe(false);
    await shot("rolled-back");
    await clickAndLoad(publishButton());
    expect(await page.getByText("Published v3.").count()).toBe(1);
    expect(await standing()).toBe("Production serves v3; the draft matches it. Nothing to publish.");
  }, TIMEOUT);
});
