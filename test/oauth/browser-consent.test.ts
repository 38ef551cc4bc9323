/**
 * The consent page in a real browser (Debian's chromium via playwright-core): the sign-in detour and
 * approval land on the app's loopback callback with code, state and iss (no CSP `form-action` blocks the
 * redirect after the POST), and a page on another origin cannot frame the consent page.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chromium, type Browser } from "playwright-core";
import { startTestServer } from "../helpers";
import type { RunningServer } from "../../src/server";
import { authorizeParams, PASSWORD, pkce, seedWorld, type World } from "./fixtures";

let server: RunningServer;
let w: World;
let browser: Browser;
/** The app's redirect target, plus a page on its origin that tries to frame Portico's consent page. */
let app: ReturnType<typeof Bun.serve>;
let framed = "";
const hits: URL[] = [];

beforeAll(async () => {
  server = await startTestServer();
  w = await seedWorld(server.deps);
  app = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const url = new URL(request.url);
      hits.push(url);
      if (url.pathname === "/framer") {
        // The second frame is a control: a page that allows framing does load, so a blank first frame means refused.
        const body = `<!doctype html><iframe id="f" src="${framed}"></iframe><iframe id="control" src="/callback"></iframe>`;
        return new Response(body, { headers: { "content-type": "text/html" } });
      }
      return new Response("back in the app");
    },
  });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  void app?.stop(true);
});

async function authorizeUrl(): Promise<string> {
  const callback = `http://127.0.0.1:${app.port}/callback`;
  const reg = await fetch(`${server.url}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "Browser App", redirect_uris: [callback], token_endpoint_auth_method: "none" }),
  });
  const { client_id } = (await reg.json()) as { client_id: string };
  const url = new URL(`${server.url}/oauth/authorize`);
  for (const [k, v] of Object.entries({ ...authorizeParams(client_id, pkce().challenge, w.url("shop")), redirect_uri: callback })) url.searchParams.set(k, v!);
  return url.href;
}

test("sign in, approve, and land on the app's callback with code, state and iss", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(await authorizeUrl());
  expect(new URL(page.url()).pathname).toBe("/login");
  await page.fill("input[name=email]", "viewer@example.com");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(/\/oauth\/authorize\?request_id=/), page.locator("form button[type=submit]").first().click()]);
  expect(await page.locator("h1").innerText()).toContain("Connect an app");
  await Promise.all([page.waitForURL(/\/callback\?/), page.click("button[value=approve]")]);
  const landed = new URL(page.url());
  expect(landed.searchParams.get("code")).toStartWith("pac_");
  expect(landed.searchParams.get("state")).toBe("st-123");
  expect(landed.searchParams.get("iss")).toBe(server.url);
  await context.close();
}, 30_000);

test("another origin cannot frame the consent page, even for a signed-in user", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  framed = await authorizeUrl();
  // Sign in first, so a framed request would otherwise show the consent page itself.
  await page.goto(framed);
  await page.fill("input[name=email]", "viewer@example.com");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(/\/oauth\/authorize\?request_id=/), page.locator("form button[type=submit]").first().click()]);
  expect(await page.locator("h1").innerText()).toContain("Connect an app");

  await page.goto(`http://127.0.0.1:${app.port}/framer`);
  await page.waitForLoadState("load");
  const control = page.frames().find((f) => f.url().endsWith("/callback"));
  expect(await control?.locator("body").innerText()).toBe("back in the app");
  const consent = page.frames().find((f) => f !== page.mainFrame() && f !== control);
  // Chromium replaces a frame refused by frame-ancestors / X-Frame-Options with an empty error document.
  const content = (await consent?.content().catch(() => "")) ?? "";
  expect(content).not.toContain("Connect an app");
  expect(content).not.toContain("Authorize");
  await context.close();
}, 30_000);
