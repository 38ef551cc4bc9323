/**
 * `npm run screenshots`: the pictures in docs/screenshots.md, made again from the code as it is. Seeds the
 * test world with some history (test/admin/lived-in-world.ts) into a temporary data dir, serves it on a
 * loopback port, and captures a few main pages in Debian's Chromium (/usr/bin/chromium, as the browser
 * tests) at 1280×800 — the viewport, not the full page, so each file stays small (≤ 150 KB is checked).
 * Not part of `npm test`: the crawler (test/admin/crawl.browser.test.ts) keeps full-page screenshots of
 * every page in test-output/screenshots/ on each run instead.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { liveIn } from "../admin/lived-in-world";
import { clickAndLoad, consentUrl, fillCode, signedInPage, startBrowserWorld, stopBrowserWorld, type BrowserWorld } from "../admin/browser-world";
import type { Who } from "../fixtures/world";

const OUT = join(import.meta.dir, "../../docs/screenshots");
const MAX_BYTES = 150 * 1024;

/** The interactive tool after a test run: its preview shows the swatches the run gave it. */
async function testRunPalette(page: Page): Promise<void> {
  await fillCode(page, "arguments", '{"name": "Harbour", "colors": ["#1d3557", "#457b9d", "#a8dadc", "#f1faee", "#e63946"]}');
  await clickAndLoad(page, page.getByRole("button", { name: "Run test" }));
  await page.frameLocator("iframe.preview-frame").frameLocator("iframe").locator(".sw").first().waitFor();
  await page.getByRole("region", { name: "Test run result" }).evaluate((el) => el.scrollIntoView({ block: "start" }));
}

/** [file name, who looks, address, what to wait for before the picture, what to do first] */
const SHOTS: Array<[string, Who, string, string, ((page: Page) => Promise<void>)?]> = [
  ["server", "owner", "/admin/acme/shop", "h1"],
  ["tool-interactive", "developer", "/admin/acme/shop/tools/show_palette", ".preview-frame", testRunPalette],
  ["publish", "admin", "/admin/acme/shop/publish", "h1"],
  ["audit", "owner", "/admin/acme/shop/audit", "tbody tr"],
  ["keys", "admin", "/admin/acme/shop/keys", "h1"],
  ["members", "owner", "/admin/acme/settings/members", "tbody tr"],
  ["org-audit", "owner", "/admin/acme/settings/audit", "tbody tr"],
];

async function capture(page: Page, name: string): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, type: "png" });
  let bytes = statSync(path).size;
  let file = path;
  if (bytes > MAX_BYTES) {
    // A page with much colour (the editor) compresses badly as PNG: keep it as JPEG instead.
    file = join(OUT, `${name}.jpg`);
    await page.screenshot({ path: file, type: "jpeg", quality: 70 });
    bytes = statSync(file).size;
  }
  console.log(`${file.slice(OUT.length + 1).padEnd(26)} ${(bytes / 1024).toFixed(0).padStart(4)} KB${bytes > MAX_BYTES ? "  (over 150 KB!)" : ""}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const world = await startBrowserWorld();
  try {
    const { server, w, callback } = world;
    await liveIn(server.deps, w, callback);
    for (const [name, who, path, ready, act] of SHOTS) {
      const { context, page } = await signedInPage(world, who, 800);
      await page.goto(server.url + path);
      await page.locator(ready).first().waitFor();
      await act?.(page);
      await page.waitForLoadState("networkidle");
      await capture(page, name);
      await context.close();
    }
    await consent(world);
  } finally {
    await stopBrowserWorld(world);
  }
}

/** The OAuth consent page an app's sign-in leads to (the developer connecting Claude to production). */
async function consent(world: BrowserWorld): Promise<void> {
  const authorize = await consentUrl(world);
  const { context, page } = await signedInPage(world, "developer", 800);
  await page.goto(authorize);
  await page.locator("button:has-text('Authorize')").waitFor();
  await capture(page, "consent");
  await context.close();
}

await main();
