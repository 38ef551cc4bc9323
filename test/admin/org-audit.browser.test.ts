/**
 * Issue 16 #6, the org audit log, walked in a real browser (Debian's chromium via playwright-core): a
 * developer edits a tool and an admin the instructions on their pages; the owner changes a role; the
 * admin reads the org log — what happened in words with names (no action codes, ids or JSON), the project
 * of each event, times to the second — filters it by who did it and by time, and exports the filtered set.
 * Screenshots go to test-output/org-audit/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { createDraftTool } from "../../src/projects/draft";
import type { startTestServer } from "../helpers";
import { startBrowserWorld, stopBrowserWorld, type BrowserWorld, signedInPage, clickAndLoad } from "./browser-world";
import type { SignedInWorld, Who } from "../fixtures/world";

const SHOTS = join(import.meta.dir, "../../test-output/org-audit");
const TIMEOUT = 60_000;

let world: Partial<BrowserWorld> = {};
let server: Awaited<ReturnType<typeof startTestServer>>;
let w: SignedInWorld;

const url = (path: string) => `${server.url}${path}`;
const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

const as = (who: Who) => signedInPage(world as BrowserWorld, who);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await startBrowserWorld();
  ({ server, w } = world as BrowserWorld);
  await createDraftTool(server.deps, w.project.id, { name: "get_order", kind: "script", description: "Finds an order.", inputSchema: { type: "object" }, script: "export default async () => ({ ok: true })" });
}, TIMEOUT);

afterAll(() => stopBrowserWorld(world));

describe("issue 16 #6: the org audit log reads as what happened", () => {
  test("edits made on the pages are in the org log in words, with project, person and seconds", async () => {
    const dev = await as("developer");
    await dev.page.goto(url("/admin/acme/shop/tools/get_order"));
    await dev.page.locator("#t-description").fill("Finds one order by its number.");
    await clickAndLoad(dev.page, dev.page.getByRole("button", { name: "Save draft" }));
    await dev.context.close();

    const adm = await as("admin");
    await adm.page.goto(url("/admin/acme/shop/instructions"));
    await adm.page.locator("#i-text").fill("Answer briefly.");
    await clickAndLoad(adm.page, adm.page.getByRole("button", { name: "Save instructions" }));

    await adm.page.goto(url("/admin/acme/settings/audit"));
    const rows = adm.page.locator("tbody tr");
    await rows.first().waitFor();
    const text = await adm.page.locator("table").innerText();
    expect(text).toContain("Edited the draft instructions (0 → 15 characters)");
    expect(text).toContain('Edited the draft tool "get_order": description');
    const toolRow = adm.page.locator("tbody tr", { hasText: "get_order" }).first();
    const cells = await toolRow.locator("td").allInnerTexts();
    expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(cells.slice(2)).toEqual(["developer@acme.test", "Shop"]);
    // No codes, ids or JSON in the table.
    expect(text).not.toContain("tool.updated");
    expect(text).not.toContain(w.project.id);
    expect(text).not.toContain("{");
    // The event filter names events in words too.
    const actions = await adm.page.locator("#f-action option").allInnerTexts();
    expect(actions).toEqual(["All events", "Instructions edited", "Tool edited"]);
    await shot(adm.page, "01-org-log-in-words");
    await adm.context.close();
  }, TIMEOUT);

  test("filter by who did it and by time; export what the filters match", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/settings/audit"));
    await page.selectOption("#f-actor", { label: "developer@acme.test" });
    await clickAndLoad(page, page.locator(".filter-grid button"));
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain("get_order");
    await shot(page, "02-by-actor");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=CSV")]);
    const lines = readFileSync((await download.path())!, "utf8").trim().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("developer@acme.test,tool.updated,\"Edited the draft tool \"\"get_order\"\": description\"");
    expect(lines[1]).toContain(",Shop,");

    // A time window before anything happened: nothing matches, and the page says so.
    await page.fill("#f-to", "2020-01-01T00:00:00");
    await clickAndLoad(page, page.locator(".filter-grid button"));
    expect(await page.locator(".empty").innerText()).toContain("No events match these filters");
    await clickAndLoad(page, page.locator(".empty a", { hasText: "Clear filters" }));
    expect(await page.locator("tbody tr").count()).toBeGreaterThanOrEqual(2);
    await shot(page, "03-cleared");
    await context.close();
  }, TIMEOUT);
});
