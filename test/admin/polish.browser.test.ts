/**
 * Issue 16 #9, "polish that users notice", walked in a real browser (Debian's chromium via playwright-core)
 * against a real listener: the URL name filled from the name, every form error at once, busy submit
 * buttons, a slug pattern Chromium can compile, tables and one-line dates, the "unverified" badge
 * explained, one name for authorized apps, API docs linked, a favicon, scopes in words, device names
 * instead of user agents, and editing one's own name. Screenshots go to test-output/screenshots/
 * (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { createGrant } from "../../src/oauth/grants";
import { registerClient } from "../../src/oauth/register";
import { listApiKeys } from "../../src/apikeys/keys";
import { startBrowserWorld, stopBrowserWorld, signedInPage, clickAndLoad, fillCode, type BrowserWorld } from "./browser-world";
import { PASSWORD, type Who } from "../fixtures/world";
import { startTestServer } from "../helpers";

const SHOTS = join(import.meta.dir, "../../test-output/screenshots");
const TIMEOUT = 60_000;

let world: BrowserWorld;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const url = (path: string) => `${world.server.url}${path}`;
const as = (who: Who, height = 900) => signedInPage(world, who, height);

/** A live grant of `who`'s, from an app that registered itself (DCR: its name is unverified). */
async function grantOf(who: Who) {
  const m = world.w.members[who];
  const { client_id } = await registerClient(world.server.deps, { client_name: "Claude Desktop", redirect_uris: [world.callback], token_endpoint_auth_method: "none" });
  return await createGrant(world.server.deps.db, {
    userId: m.id, orgId: world.w.org.id, projectId: world.w.project.id, channel: "production", resource: world.w.url(),
    clientId: String(client_id), scopes: "project:read tools:call", sessionId: m.sessionId,
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await startBrowserWorld();
  await grantOf("admin");
}, TIMEOUT);

afterAll(() => stopBrowserWorld(world));

describe("issue 16 #9: polish that users notice", () => {
  test("1. the URL name follows the project name as it is typed, until the user edits it", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme"));
    await page.click("details.card summary");
    const name = page.locator("#np-name-acme");
    const slug = page.locator("#np-slug-acme");
    await name.pressSequentially("Shop Assistant 2");
    expect(await slug.inputValue()).toBe("shop-assistant-2");
    await name.fill("Café Orders");
    expect(await slug.inputValue()).toBe("cafe-orders");
    await shot(page, "new-project-slug-filled");
    await slug.fill("orders");
    await name.pressSequentially(" (EU)");
    expect(await slug.inputValue()).toBe("orders");
    await clickAndLoad(page, "details.card button[type=submit]");
    expect(new URL(page.url()).pathname).toBe("/admin/acme/orders");
    await context.close();
  }, TIMEOUT);

  test("1 and 2. first-run setup: the org slug follows the org name, and every refused field shows at once", async () => {
    const fresh = await startTestServer();
    const context = await world.browser.newContext({ viewport: { width: 1280, height: 1100 } });
    try {
      const page = await context.newPage();
      await page.goto(fresh.setupUrl!);
      await page.fill("#f-name", "Olive");
      await page.fill("#f-email", "olive@example.com");
      await page.fill("#f-password", "short");
      await page.locator("#f-org_name").pressSequentially("Acme Corp");
      expect(await page.inputValue("#f-org_slug")).toBe("acme-corp");
      await page.fill("#f-org_slug", "admin");
      await clickAndLoad(page, "form button[type=submit]");
      expect(await page.locator(".notice.error").innerText()).toContain("2 fields need a change");
      expect(await page.locator("#f-password-error").innerText()).toContain("at least 10 characters");
      expect(await page.locator("#f-org_slug-error").innerText()).toContain("reserved by Portico");
      expect(await page.locator("#f-org_slug").getAttribute("aria-invalid")).toBe("true");
      expect(await page.inputValue("#f-email")).toBe("olive@example.com");
      expect(await page.inputValue("#f-org_name")).toBe("Acme Corp");
      await shot(page, "setup-all-errors");
      // The slug the user typed stays theirs while they fix the name.
      await page.locator("#f-org_name").pressSequentially(" EU");
      expect(await page.inputValue("#f-org_slug")).toBe("admin");
    } finally {
      await context.close();
      await fresh.stop();
    }
  }, TIMEOUT);

  test("2. a refused tool save shows every field's error beside it and keeps what was typed", async () => {
    const { context, page } = await as("developer", 2400);
    await page.goto(url("/admin/acme/shop/tools/new?kind=script"));
    await page.fill("#t-name", "bad name!");
    await page.fill("#t-description", "Kept as typed");
    await page.fill("#t-timeoutMs", "5");
    await page.fill("#t-memoryMb", "4096");
    await fillCode(page, "inputSchema", '{"type": "object", "properties": {}}');
    await clickAndLoad(page, "form.tool-form button[type=submit]");
    for (const field of ["name", "timeoutMs", "memoryMb"]) {
      expect(await page.locator(`#t-${field}`).getAttribute("aria-invalid")).toBe("true");
      expect(await page.locator(`#e-${field}`).isVisible()).toBe(true);
    }
    expect(await page.locator(".notice.error").innerText()).toContain("3 fields need a change");
    expect(await page.inputValue("#t-name")).toBe("bad name!");
    expect(await page.inputValue("#t-description")).toBe("Kept as typed");
    expect(await page.inputValue("#t-timeoutMs")).toBe("5");
    await shot(page, "tool-form-all-errors");
    await context.close();
  }, TIMEOUT);

  test("2. a refused new project shows the form again, open, with the error beside the URL name", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme"));
    await page.click("details.card summary");
    await page.fill("#np-name-acme", "Admin tools");
    await page.fill("#np-slug-acme", "admin");
    await clickAndLoad(page, "details.card button[type=submit]");
    expect(await page.locator("details.card").getAttribute("open")).not.toBeNull();
    expect(await page.locator("#np-slug-acme").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#np-e-slug-acme").innerText()).toContain("reserved");
    expect(await page.inputValue("#np-name-acme")).toBe("Admin tools");
    expect(await page.inputValue("#np-slug-acme")).toBe("admin");
    await shot(page, "new-project-refused");
    await context.close();
  }, TIMEOUT);

  test("3. a submit button turns busy and disabled on submit, and a second submit is not sent", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/shop/keys"));
    const posts: string[] = [];
    page.on("request", (r) => r.method() === "POST" && posts.push(r.url()));
    // What the page looks like just after the submit (after portico.js's own handler), kept across the
    // navigation; then a second submit of the same form, as a second click on a slow network would send.
    await page.evaluate(() => {
      document.addEventListener("submit", (event) => {
        const form = event.target as HTMLFormElement;
        setTimeout(() => {
          const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
          sessionStorage.setItem("busy", JSON.stringify({ disabled: button.disabled, text: button.textContent }));
          form.requestSubmit();
        });
      }, { once: true });
    });
    await page.fill("#k-name", "double click");
    await clickAndLoad(page, "button:has-text('Create key')");
    expect(JSON.parse((await page.evaluate(() => sessionStorage.getItem("busy")))!)).toEqual({ disabled: true, text: "Creating…" });
    expect(posts.length).toBe(1);
    const keys = await listApiKeys(world.server.deps, world.w.project.id);
    expect(keys.filter((k) => k.name === "double click").length).toBe(1);
    await shot(page, "keys-created-once");
    await context.close();
  }, TIMEOUT);

  test("4. Chromium compiles the URL name pattern: it refuses a bad slug, accepts a good one, logs no error", async () => {
    const { context, page } = await as("admin");
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url("/admin/acme"));
    const valid = (value: string) =>
      page.evaluate((v) => {
        const input = document.querySelector<HTMLInputElement>("#np-slug-acme")!;
        input.value = v;
        return input.checkValidity();
      }, value);
    expect(await valid("Bad Slug")).toBe(false);
    expect(await valid("-shop")).toBe(false);
    expect(await valid("shop-")).toBe(false);
    expect(await valid("shop_2")).toBe(false);
    expect(await valid("shop-2")).toBe(true);
    expect(await valid("ab")).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, TIMEOUT);

  test("5. tables: framed with a shaded header, and a date stays on one line", async () => {
    const { context, page } = await as("admin", 900);
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(url("/admin/acme/settings/apps"));
    const cell = page.locator("tbody tr").first().locator("td time").first();
    const box = (await cell.boundingBox())!;
    const lineHeight = await cell.evaluate((el) => Number.parseFloat(getComputedStyle(el).lineHeight) || 20);
    expect(box.height).toBeLessThan(lineHeight * 1.5);
    const header = await page.locator("th").first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(header).not.toBe("rgba(0, 0, 0, 0)");
    await shot(page, "authorized-apps-table");
    await page.goto(url("/admin/acme/shop/keys"));
    // A scope checkbox sits on the line of its words, not above them.
    const label = page.locator("label.check:has(input[name='scope:tools:call'])");
    const boxOf = async (l: ReturnType<Page["locator"]>) => (await l.boundingBox())!;
    const check = await boxOf(label.locator("input"));
    const words = await boxOf(label.locator("span").first());
    expect(Math.abs(check.y + check.height / 2 - (words.y + Math.min(words.height, 22) / 2))).toBeLessThan(8);
    // The labels of one row of fields (name, channel, expiry) start on the same line.
    const tops = await page.locator("form .filters > div > label").evaluateAll((ls) => ls.map((l) => Math.round(l.getBoundingClientRect().top)));
    expect(tops.length).toBe(3);
    expect(new Set(tops).size).toBe(1);
    await shot(page, "keys-form");
    await context.close();
  }, TIMEOUT);

  test("6. the unverified badge says what it means, in a tooltip and on the page", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/settings/apps"));
    const badge = page.locator("tbody a.badge.warn").first();
    expect(await badge.innerText()).toBe("unverified name");
    expect(await badge.getAttribute("title")).toContain("registered itself");
    await badge.click();
    expect(new URL(page.url()).hash).toBe("#unverified-help");
    const help = page.locator("#unverified-help");
    expect(await help.isVisible()).toBe(true);
    expect(await help.innerText()).toContain("nobody checked it");
    await shot(page, "unverified-explained");
    await context.close();
  }, TIMEOUT);

  test("7. one name: the account's apps are 'Your authorized apps', like the org's 'Authorized apps'", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin"));
    await clickAndLoad(page, "nav.account a:has-text('Authorized apps')");
    expect(new URL(page.url()).pathname).toBe("/account/apps");
    expect(await page.locator("h1").innerText()).toBe("Your authorized apps");
    expect(await page.title()).toContain("Your authorized apps");
    expect(await page.locator("body").innerText()).not.toContain("Connected apps");
    await shot(page, "your-authorized-apps");
    await page.goto(url("/account"));
    expect(await page.locator("th:has-text('Authorized apps')").count()).toBe(1);
    expect(await page.locator("body").innerText()).not.toMatch(/connected apps/i);
    await context.close();
  }, TIMEOUT);

  test("8. the API docs are linked from the API keys page and every page's footer", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/shop/keys"));
    expect(await page.locator("main a[href='/api/v1/docs']").count()).toBeGreaterThan(0);
    await page.goto(url("/admin"));
    await clickAndLoad(page, "footer a:has-text('API docs')");
    expect(new URL(page.url()).pathname).toBe("/api/v1/docs");
    expect(await page.locator("h1").innerText()).toBe("Portico API");
    await shot(page, "api-docs");
    await context.close();
  }, TIMEOUT);

  test("9. a favicon, bundled and served from Portico itself", async () => {
    const { context, page } = await as("viewer");
    await page.goto(url("/admin"));
    const href = await page.locator("link[rel=icon]").getAttribute("href");
    expect(href).toBe("/assets/favicon.svg");
    await shot(page, "projects-with-favicon");
    for (const path of [href!, "/favicon.ico"]) {
      const res = await page.request.get(url(path));
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toBe("image/svg+xml");
      expect(await res.text()).toContain("<svg");
    }
    await context.close();
  }, TIMEOUT);

  test("10. scopes read as words on the org's and the user's authorized apps", async () => {
    const { context, page } = await as("admin");
    for (const path of ["/admin/acme/settings/apps", "/account/apps"]) {
      await page.goto(url(path));
      const scopes = page.locator("tbody tr").first().locator("ul.scopes");
      expect(await scopes.innerText()).toContain("Run the project's MCP tools");
      expect(await scopes.innerText()).not.toContain("tools:call");
      expect(await scopes.locator("li[title='tools:call']").count()).toBe(1);
    }
    await shot(page, "scopes-in-words");
    await context.close();
  }, TIMEOUT);

  test("11. the account's sessions name the device, not the raw user agent", async () => {
    const claude =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Claude/0.9.3 Chrome/130.0.6723.152 Electron/33.2.0 Safari/537.36";
    const context = await world.browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: claude });
    const page = await context.newPage();
    await page.goto(url("/login?return_to=/account"));
    await page.fill("#f-email", world.w.members.developer.email);
    await page.fill("#f-password", PASSWORD);
    await clickAndLoad(page, "form button[type=submit]");
    expect(new URL(page.url()).pathname).toBe("/account");
    const current = page.locator("tr:has(.badge:has-text('this browser'))");
    expect(await current.locator("td").first().innerText()).toContain("Claude Desktop on macOS");
    const text = await page.locator("main").innerText();
    expect(text).not.toContain("Mozilla/5.0");
    expect(text).toContain("Unknown device");
    await shot(page, "account-sessions");
    await context.close();
  }, TIMEOUT);

  test("12. a member changes their own name on the Account page; others see it", async () => {
    const { context, page } = await as("viewer");
    await page.goto(url("/account"));
    await page.fill("#f-name", "   ");
    await clickAndLoad(page, "button:has-text('Save name')");
    expect(await page.locator("#e-name").innerText()).toBe("enter a name");
    expect(await page.locator("#f-name").getAttribute("aria-invalid")).toBe("true");
    await page.fill("#f-name", "  Vera Viewer  ");
    await clickAndLoad(page, "button:has-text('Save name')");
    expect(await page.locator(".notice.ok").innerText()).toBe("Name saved.");
    expect(await page.inputValue("#f-name")).toBe("Vera Viewer");
    expect(await page.locator("header.top nav.account").innerText()).toContain("Vera Viewer");
    await shot(page, "account-name");
    await page.goto(url("/admin/acme/settings/members"));
    expect(await page.locator("tr:has-text('viewer@acme.test')").innerText()).toContain("Vera Viewer");
    await context.close();
  }, TIMEOUT);

  test("12. the name change is CSRF-protected and never longer than 100 characters", async () => {
    const m = world.w.members.developer;
    const post = (fields: Record<string, string>) =>
      fetch(url("/account/name"), {
        method: "POST", redirect: "manual",
        headers: { cookie: m.cookie, "content-type": "application/x-www-form-urlencoded", origin: world.server.url },
        body: new URLSearchParams(fields),
      });
    expect((await post({ name: "No token" })).status).toBe(403);
    expect((await post({ csrf: m.csrf, name: "x".repeat(101) })).status).toBe(400);
    expect((await post({ csrf: m.csrf, name: "Dev" })).status).toBe(303);
  }, TIMEOUT);
});
