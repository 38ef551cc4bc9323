/**
 * Issue 16 #1, #7 and #8 walked in a real browser (Debian's chromium via playwright-core) against a real
 * listener on http://127.0.0.1 — the public URL a fresh `serve` has: the warning that hosted hosts cannot
 * connect, a viewer without a Copy for the draft, a reload that leaves one key and one invite, error pages
 * with the header and a way back, and an OAuth refusal with both ways out. Screenshots go to
 * test-output/admin-day/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import type { startTestServer } from "../helpers";
import { startBrowserWorld, stopBrowserWorld, signedInPage, clickAndLoad, type BrowserWorld } from "./browser-world";
import { PASSWORD, type SignedInWorld, type Who } from "../fixtures/world";

const SHOTS = join(import.meta.dir, "../../test-output/admin-day");
const TIMEOUT = 60_000;

let server: Awaited<ReturnType<typeof startTestServer>>;
let w: SignedInWorld;
let browser: Browser;
/** A real loopback redirect target, as a native app's OAuth callback listener would be (RFC 8252). */
let callbackServer: ReturnType<typeof Bun.serve>;
let CALLBACK: string;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const as = (who: Who) => signedInPage({ server, w, browser } as BrowserWorld, who, 860);

async function anonymous(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

function url(path: string) {
  return `${server.url}${path}`;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ server, w, callbackServer, callback: CALLBACK, browser } = await startBrowserWorld());
}, TIMEOUT);

afterAll(() => stopBrowserWorld({ server, callbackServer, browser }));

describe("issue 16 #1: why Claude cannot connect, said before it happens", () => {
  test("the Server page warns that hosted hosts cannot reach an http loopback URL, and settings have their own tab", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/shop"));
    const warning = await page.locator("#reach-warning").innerText();
    expect(warning).toContain("Claude, ChatGPT and other hosted apps cannot connect");
    expect(warning).toContain("uses http");
    expect(warning).toContain("127.0.0.1 is this computer's own address");
    expect(warning).toContain("Running behind a reverse proxy with https");
    expect(await page.locator("button:has-text('Save settings')").count()).toBe(0);
    await shot(page, "server-warning");
    await clickAndLoad(page, "nav.tabs a:has-text('Settings')");
    expect(new URL(page.url()).pathname).toBe("/admin/acme/shop/settings");
    await page.fill("#ps-name", "Shop renamed");
    await clickAndLoad(page, "button:has-text('Save settings')");
    expect(new URL(page.url()).pathname).toBe("/admin/acme/shop/settings");
    expect(await page.locator(".notice.ok").innerText()).toBe("Settings saved.");
    await shot(page, "settings-tab");
    await page.fill("#ps-name", "Shop");
    await clickAndLoad(page, "button:has-text('Save settings')");
    await context.close();
  }, TIMEOUT);

  test("a viewer gets a Copy button for the production URL but none for the draft URL they cannot use", async () => {
    const { context, page } = await as("viewer");
    await page.goto(url("/admin/acme/shop"));
    expect(await page.locator(`button[data-copy="${url("/acme/shop")}"]`).count()).toBe(1);
    expect(await page.locator(`button[data-copy="${url("/acme/shop/draft")}"]`).count()).toBe(0);
    expect(await page.locator("main").innerText()).toContain("Your role (viewer) cannot connect to the draft");
    await shot(page, "server-viewer");
    await context.close();
    const dev = await as("developer");
    await dev.page.goto(url("/admin/acme/shop"));
    expect(await dev.page.locator(`button[data-copy="${url("/acme/shop/draft")}"]`).count()).toBe(1);
    await dev.context.close();
  }, TIMEOUT);
});

describe("issue 16 #7: no accidental duplicates", () => {
  test("creating a key redirects; the secret and a curl example show once; a reload leaves one key and no secret", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/shop/keys"));
    await page.fill("#k-name", "Reload check");
    await clickAndLoad(page, "button:has-text('Create key')");
    const after = new URL(page.url());
    expect(after.pathname).toBe("/admin/acme/shop/keys");
    expect(after.search).not.toContain("prt_");
    const secret = await page.locator(".notice.ok .copy code").innerText();
    expect(secret).toStartWith("prt_");
    const curl = await page.locator(".notice.ok pre").innerText();
    expect(curl).toContain(`Authorization: Bearer ${secret}`);
    expect(curl).toContain(url("/acme/shop"));
    await shot(page, "key-created");
    // The curl example works as printed: tools/list on the project URL with this key.
    const listed = await fetch(url("/acme/shop"), {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(listed.status).toBe(200);
    await page.reload({ waitUntil: "load" });
    expect(await page.locator("table tr", { hasText: "Reload check" }).count()).toBe(1);
    expect(await page.content()).not.toContain(secret);
    await shot(page, "key-after-reload");
    await context.close();
  }, TIMEOUT);

  test("a duplicate key name is refused with a clear message on a page with the header and a way back", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/shop/keys"));
    await page.fill("#k-name", "Twice");
    await clickAndLoad(page, "button:has-text('Create key')");
    await page.goto(url("/admin/acme/shop/keys"));
    await page.fill("#k-name", "twice");
    await clickAndLoad(page, "button:has-text('Create key')");
    expect(await page.locator("main").innerText()).toContain('This project already has a key named "twice"');
    expect(await page.locator("header.top").count()).toBe(1);
    expect(await page.locator("main a:has-text('Back to the organization')").getAttribute("href")).toBe("/admin/acme");
    await shot(page, "key-duplicate");
    await page.goto(url("/admin/acme/shop/keys"));
    expect(await page.locator("table tr", { hasText: /twice/i }).count()).toBe(1);
    await context.close();
  }, TIMEOUT);

  test("creating an invite redirects; the link shows once; a reload leaves one pending invite", async () => {
    const { context, page } = await as("admin");
    await page.goto(url("/admin/acme/settings/members"));
    await page.fill("#inv-email", "reload@example.com");
    await clickAndLoad(page, "button:has-text('Create invite link')");
    expect(new URL(page.url()).pathname).toBe("/admin/acme/settings/members");
    const link = await page.locator(".notice.ok .copy code").innerText();
    expect(link).toContain("/invite/");
    expect(page.url()).not.toContain(link);
    await page.reload({ waitUntil: "load" });
    expect(await page.locator("table tr", { hasText: "reload@example.com" }).count()).toBe(1);
    expect(await page.content()).not.toContain(link);
    await shot(page, "invite-after-reload");
    await context.close();
  }, TIMEOUT);
});

describe("issue 16 #8: no dead ends", () => {
  test("a 403 page has the normal header and ways back", async () => {
    const { context, page } = await as("viewer");
    const res = await page.goto(url("/admin/acme/shop/audit"));
    expect(res?.status()).toBe(403);
    expect(await page.locator("header.top").innerText()).toContain("viewer@acme.test");
    expect(await page.locator("main a:has-text('Back to the organization')").getAttribute("href")).toBe("/admin/acme");
    expect(await page.locator("main a:has-text('Your organizations')").getAttribute("href")).toBe("/admin");
    await shot(page, "forbidden");
    await context.close();
  }, TIMEOUT);

  test("the sole owner is not offered Leave; other members keep Remove", async () => {
    const { context, page } = await as("owner");
    await page.goto(url("/admin/acme/settings/members"));
    const ownRow = page.locator("table tr", { hasText: "owner@acme.test" });
    expect(await ownRow.locator("button:has-text('Leave')").count()).toBe(0);
    expect(await page.locator("table tr", { hasText: "developer@acme.test" }).locator("button:has-text('Remove')").count()).toBe(1);
    await shot(page, "members-owner");
    await context.close();
  }, TIMEOUT);

  test("a refused viewer on the draft may use another account, or return access_denied with state and iss to the app", async () => {
    const reg = await fetch(url("/oauth/register"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Refusal Test App", redirect_uris: [CALLBACK], token_endpoint_auth_method: "none" }),
    });
    const { client_id } = (await reg.json()) as { client_id: string };
    const authorize = new URL(url("/oauth/authorize"));
    const params = { response_type: "code", client_id, redirect_uri: CALLBACK, code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256", state: "st-16", resource: url("/acme/shop/draft") };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);

    const { context, page } = await anonymous();
    const signIn = async (email: string) => {
      await page.fill("input[name=email]", email);
      await page.fill("input[name=password]", PASSWORD);
      await clickAndLoad(page, "button:has-text('Sign in')");
    };
    await page.goto(authorize.toString());
    // The sign-in page says what is being connected, and how to join.
    const connecting = await page.locator("#connecting").innerText();
    expect(connecting).toContain("Sign in to connect Refusal Test App");
    expect(connecting).toContain("Shop");
    expect(connecting).toContain("draft");
    expect(connecting).toContain("invite link");
    await shot(page, "oauth-sign-in");
    await signIn("viewer@acme.test");
    expect(await page.locator("h1").innerText()).toBe("Not allowed");
    expect(await page.locator("main").innerText()).toContain("needs the developer role");
    await shot(page, "oauth-refusal");

    // Way out 1: another account, back to the same authorization.
    await clickAndLoad(page, "button:has-text('Use another account')");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.locator("#connecting").innerText()).toContain("Refusal Test App");
    await signIn("developer@acme.test");
    expect(await page.locator("h1").innerText()).toBe("Connect an app");
    await shot(page, "oauth-consent-other-account");
    await context.close();

    // Way out 2: return access_denied to the app's registered redirect URI.
    const second = await anonymous();
    await second.page.goto(authorize.toString());
    await second.page.fill("input[name=email]", "viewer@acme.test");
    await second.page.fill("input[name=password]", PASSWORD);
    await clickAndLoad(second.page, "button:has-text('Sign in')");
    await clickAndLoad(second.page, "button:has-text('without connecting')");
    // A DCR client is not trusted to be redirected to automatically (error-redirect-policy.ts): the user follows the link.
    if (!second.page.url().startsWith(CALLBACK)) await clickAndLoad(second.page, "a:has-text('Return to')");
    const back = new URL(second.page.url());
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe("st-16");
    expect(back.searchParams.get("iss")).toBe(server.url);
    await second.context.close();
  }, TIMEOUT);
});
