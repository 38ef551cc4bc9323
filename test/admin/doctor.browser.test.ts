/**
 * The connection doctor on Project → Server in a real browser (Debian's chromium via playwright-core): first
 * the empty state that says how to connect, then — after hosts went wrong over real HTTP (a production token
 * sent to the draft URL, a refused redirect URI, a wrong metadata path) — each app's findings with their
 * severity, title and fix above its steps, newest first. Screenshot: test-output/screenshots/doctor.png (git-ignored).
 */
import { afterAll, beforeAll, expect, setSystemTime, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startBrowserWorld, stopBrowserWorld, signedInPage, type BrowserWorld } from "./browser-world";
import { overHttp } from "../doctor/http-world";
import { authorizeParams, authorizePath, obtainTokens, pkce, registerClient } from "../oauth/fixtures";

const SHOTS = join(import.meta.dir, "../../test-output/screenshots");
const TIMEOUT = 60_000;
let world: Partial<BrowserWorld> = {};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await startBrowserWorld();
}, TIMEOUT);
afterAll(async () => {
  setSystemTime();
  await stopBrowserWorld(world);
});

test("the Server page shows how to connect, then each app's findings (severity, title, fix) above its steps", async () => {
  const { server, w } = world as BrowserWorld;
  const { context, page } = await signedInPage(world as BrowserWorld, "developer", 1400);
  const url = (path: string) => `${server.url}${path}`;

  await page.goto(url("/admin/acme/shop"));
  const empty = await page.locator("#doctor").innerText();
  expect(empty).toContain("No host has tried to connect yet");
  expect(empty).toContain(`paste the production URL\n${w.url()}`.replace("\n", " "));
  expect(await page.locator("#doctor a[href='#connect']").count()).toBe(1);

  // Hosts going wrong, over HTTP.
  const app = overHttp(server.url);
  const { tokens } = await obtainTokens(app, server.deps, w.users.developer.id, w.url());
  const draftCall = await fetch(url("/acme/shop/draft"), {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  expect(draftCall.status).toBe(401);
  const misdirected = await registerClient(app, { client_name: "Misdirected Host" });
  await app.handle(new Request(`http://x${authorizePath(authorizeParams(misdirected.client_id, pkce().challenge, w.url(), { redirect_uri: "http://127.0.0.1:9/wrong" }))}`));
  await fetch(url("/acme/shop/.well-known/oauth-protected-resource"));
  setSystemTime(new Date(Date.now() + 11 * 60_000));

  await page.goto(url("/admin/acme/shop"));
  expect(await page.locator(".card h2", { hasText: "Authorized apps" }).count()).toBe(1);
  const doctor = page.locator("#doctor");
  const mixup = doctor.locator("[data-finding='draft-production-mixup']");
  expect(await mixup.locator(".badge").innerText()).toBe("problem");
  expect(await mixup.innerText()).toContain("Test App sent a token issued for the production server to the draft URL");
  expect(await mixup.innerText()).toContain(`Fix: In the host, connect the URL you mean to use — ${w.url("shop", "draft")} for draft`);
  const refused = doctor.locator("[data-finding='authorization-abandoned']");
  expect(await refused.innerText()).toContain("Misdirected Host started connecting 11 minutes ago, but Portico refused its redirect URI http://127.0.0.1:9/wrong");
  expect(await doctor.locator("[data-finding='metadata-path-not-served']").innerText()).toContain(`Paste exactly ${w.url()}`);
  // Newest activity first: the misdirected host acted last.
  const apps = await doctor.locator(".doctor-client h3").allInnerTexts();
  expect(apps[0]).toContain("Misdirected Host");
  expect(apps).toContainEqual(expect.stringContaining("Test App"));
  // Test App's older steps fold into a <details> after the newest few.
  const testApp = doctor.locator(".doctor-client", { hasText: "Test App" });
  expect(await testApp.locator("details summary").innerText()).toMatch(/^\d+ older steps?$/);
  expect(await testApp.locator("tbody tr").first().innerText()).toContain("MCP call refused");

  await doctor.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, "doctor.png"), fullPage: true });
  await context.close();
}, TIMEOUT);
