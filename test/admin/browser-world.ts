/**
 * What a browser test of the pages needs: a real listener with the seeded world (members signed in), a
 * local callback server standing in for a host's redirect URI, and Debian's Chromium (TESTING: playwright-core
 * with /usr/bin/chromium). Started in a file's beforeAll, stopped in its afterAll.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { s256 } from "../../src/lib/crypto";
import { seedWorld, type SignedInWorld, type Who } from "../fixtures/world";
import { startTestServer } from "../helpers";

export interface BrowserWorld {
  server: Awaited<ReturnType<typeof startTestServer>>;
  w: SignedInWorld;
  callbackServer: ReturnType<typeof Bun.serve>;
  /** The callback server's redirect URI. */
  callback: string;
  browser: Browser;
}

export async function startBrowserWorld(): Promise<BrowserWorld> {
  const server = await startTestServer();
  const w = await seedWorld(server.deps);
  const callbackServer = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("You can close this window.") });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return { server, w, callbackServer, callback: `http://127.0.0.1:${callbackServer.port}/callback`, browser };
}

export async function stopBrowserWorld(world: Partial<BrowserWorld>): Promise<void> {
  await world.browser?.close();
  void world.callbackServer?.stop(true);
  await world.server?.stop();
}

/**
 * Replaces the text of a code field of the tool form (`script`, `html`, `inputSchema`, `arguments` …) the way
 * a user pasting it does: into its code editor (src/web/editor), which writes it back to the form's text
 * area. Inserted as one text input, so the editor's auto-indent and bracket closing leave it as given.
 */
export async function fillCode(page: Page, name: string, text: string): Promise<void> {
  const editor = page.locator(`.code-editor[data-editor-for="${name}"] .cm-content`);
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  if (text) await page.keyboard.insertText(text);
}

/** A browser context already signed in as `who` (the seeded session cookie); confirmation dialogs are accepted. */
export async function signedInPage(world: BrowserWorld, who: Who, height = 900): Promise<{ context: BrowserContext; page: Page }> {
  const context = await world.browser.newContext({ viewport: { width: 1280, height } });
  context.setDefaultTimeout(10_000);
  const [name, value] = world.w.members[who].cookie.split("=") as [string, string];
  await context.addCookies([{ name, value: decodeURIComponent(value), url: world.server.url }]);
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  return { context, page };
}

/** Clicks something that navigates (a selector or a locator), and waits until the next page has loaded. */
export async function clickAndLoad(p: Page, target: string | Locator): Promise<void> {
  await Promise.all([p.waitForNavigation({ waitUntil: "load" }), typeof target === "string" ? p.click(target) : target.click()]);
}

/**
 * The authorization URL a host would open after registering itself (DCR, "Claude", the world's callback) for
 * acme/shop's production: what a browser test visits to reach the consent page.
 */
export async function consentUrl(world: Pick<BrowserWorld, "server" | "callback">): Promise<string> {
  const { server, callback } = world;
  const reg = await fetch(`${server.url}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "Claude", redirect_uris: [callback], token_endpoint_auth_method: "none" }),
  });
  const { client_id } = (await reg.json()) as { client_id: string };
  const authorize = new URL(`${server.url}/oauth/authorize`);
  const params = { response_type: "code", client_id, redirect_uri: callback, code_challenge: s256("v".repeat(43)), code_challenge_method: "S256", state: "s", resource: `${server.url}/acme/shop` };
  for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
  return authorize.href;
}
