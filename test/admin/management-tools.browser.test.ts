/**
 * Issue 16 #3 in a real browser (Debian's chromium via playwright-core) against a real listener: an admin sets
 * where the management tools are offered with the settings control, and a member unticks a scope on the
 * consent page so the grant carries less than the role allows. Screenshots go to test-output/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { decodeJwt } from "jose";
import { s256 } from "../../src/lib/crypto";
import { getProjectById, updateProject } from "../../src/projects/projects";
import type { SignedIn, SignedInWorld } from "../fixtures/world";
import type { startTestServer } from "../helpers";
import { startBrowserWorld, stopBrowserWorld } from "./browser-world";

let server: Awaited<ReturnType<typeof startTestServer>>;
let w: SignedInWorld;
let callbackServer: ReturnType<typeof Bun.serve>;
let CALLBACK: string;
let browser: Browser;
const shots = join(import.meta.dir, "../../test-output/admin/management-tools");
const TIMEOUT = 60_000;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** A browser context signed in as `member` (their real session cookie). */
async function as(member: SignedIn): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  ctx.setDefaultTimeout(10_000);
  const [name, value] = member.cookie.split("=") as [string, string];
  await ctx.addCookies([{ name, value: decodeURIComponent(value), url: server.url }]);
  return { ctx, page: await ctx.newPage() };
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  ({ server, w, callbackServer, callback: CALLBACK, browser } = await startBrowserWorld());
}, TIMEOUT);

afterAll(() => stopBrowserWorld({ server, callbackServer, browser }));

describe("management tools in the browser", () => {
  test("an admin picks where management tools are offered; the choice is saved and shown checked", async () => {
    const { ctx, page } = await as(w.members.admin);
    await page.goto(`${server.url}/admin/acme/shop/settings`);
    const form = page.locator('form[action$="/settings"]');
    expect(await form.locator('input[name="managementTools"][value="draft"]').isChecked()).toBe(true);
    expect(await form.locator('input[name="managementTools"]').count()).toBe(3);
    await shot(page, "settings-default");
    await form.getByLabel("On the draft and production URLs").check();
    await Promise.all([page.waitForNavigation(), form.locator("button", { hasText: "Save settings" }).click()]);
    expect((await getProjectById(server.deps.db, w.project.id)).managementTools).toBe("draft_and_production");
    await page.goto(`${server.url}/admin/acme/shop/settings`);
    expect(await page.locator('form[action$="/settings"] input[name="managementTools"][value="draft_and_production"]').isChecked()).toBe(true);
    await shot(page, "settings-draft-and-production");
    await page.locator('form[action$="/settings"]').getByLabel("Off").check();
    await Promise.all([page.waitForNavigation(), page.locator('form[action$="/settings"] button', { hasText: "Save settings" }).click()]);
    expect((await getProjectById(server.deps.db, w.project.id)).managementTools).toBe("off");
    await ctx.close();

    // A developer sees the setting but cannot change it.
    const dev = await as(w.members.developer);
    await dev.page.goto(`${server.url}/admin/acme/shop/settings`);
    expect(await dev.page.locator('form[action$="/settings"] input[name="managementTools"][value="off"]').isDisabled()).toBe(true);
    await dev.ctx.close();
  }, TIMEOUT);

  test("a developer unticks a scope on the consent page; the token carries exactly the ticked scopes", async () => {
    await updateProject(server.deps.db, w.project.id, { managementTools: "draft" });
    const reg = await fetch(`${server.url}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Consent Test App", redirect_uris: [CALLBACK], token_endpoint_auth_method: "none" }),
    });
    const { client_id } = (await reg.json()) as { client_id: string };
    const verifier = crypto.randomUUID() + crypto.randomUUID();
    const resource = w.url("shop", "draft");
    const authorize = new URL(`${server.url}/oauth/authorize`);
    for (const [k, v] of Object.entries({ response_type: "code", client_id, redirect_uri: CALLBACK, code_challenge: s256(verifier), code_challenge_method: "S256", state: "s1", resource })) {
      authorize.searchParams.set(k, v);
    }
    const { ctx, page } = await as(w.members.developer);
    await page.goto(authorize.toString());
    // Required scopes are shown ticked and cannot be unticked; the others can.
    expect(await page.locator('input[name="scope:project:read"]').isDisabled()).toBe(true);
    expect(await page.locator('input[name="scope:draft"]').isDisabled()).toBe(true);
    expect(await page.locator('input[name="scope:project:write"]').isChecked()).toBe(true);
    expect(await page.locator("ul.management-tools").innerText()).toContain("create, change, duplicate and delete draft tools");
    await page.locator('input[name="scope:project:write"]').uncheck();
    await shot(page, "consent-unticked");
    await Promise.all([page.waitForURL((u) => u.href.startsWith(CALLBACK)), page.click("button:has-text('Authorize')")]);
    const code = new URL(page.url()).searchParams.get("code")!;
    const token = await fetch(`${server.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: CALLBACK, code_verifier: verifier, client_id, resource }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    expect(String(decodeJwt(access_token).scope).split(" ").sort()).toEqual(["draft", "project:read", "tools:call"]);
    await ctx.close();
  }, TIMEOUT);
});
