/**
 * Issue 16 #6, "An audit log people can read", walked in a real browser (Debian's chromium via
 * playwright-core) as an owner would: an empty log says no calls were made yet; calls seconds apart read
 * apart; callers are named (email, app, API key), never ids, in the list, the detail and the export; one
 * status vocabulary in the list, the detail and the filter; part of a tool name finds it; a revoked app is
 * still in the client filter; a filter that matches nothing says so. Screenshots go to test-output/audit/
 * (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { createGrant, revokeGrant } from "../../src/oauth/grants";
import { registerClient } from "../../src/oauth/register";
import type { AuditRow } from "../../src/audit/writer";
import type { startTestServer } from "../helpers";
import { startBrowserWorld, stopBrowserWorld, type BrowserWorld, clickAndLoad } from "./browser-world";
import type { SignedInWorld, Who } from "../fixtures/world";

const SHOTS = join(import.meta.dir, "../../test-output/audit");
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
  return { context, page: await context.newPage() };
}

const T0 = Date.UTC(2026, 0, 5, 9, 30, 5);

function row(over: Partial<AuditRow>): AuditRow {
  return {
    projectId: w.project.id, time: T0, channel: "production", principal: "user", userId: null, grantId: null, clientId: null,
    apiKeyId: null, sessionId: null, method: "tools/call", tool: "get_order", version: 1, input: '{"id":7}', output: '{"ok":true}',
    status: "ok", errorClass: null, error: null, logs: null, durationMs: 3, host: "claude-ai 1.0", ip: "10.0.0.1", ...over,
  };
}

let appId = "";
let keyId = "";

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await startBrowserWorld();
  ({ server, w, browser } = world as BrowserWorld);
}, TIMEOUT);

afterAll(() => stopBrowserWorld(world));

describe("issue 16 #6: the project audit log reads without a lookup", () => {
  test("before any call, the log says none were made yet", async () => {
    const { context, page } = await as("owner");
    await page.goto(url("/admin/acme/shop/audit"));
    expect(await page.locator(".empty").innerText()).toContain("No calls yet");
    await shot(page, "01-no-calls-yet");
    await context.close();
  }, TIMEOUT);

  test("calls are listed with seconds, by email, app and key name, in one status vocabulary", async () => {
    const deps = server.deps;
    const { client_id } = await registerClient(deps, { client_name: "Claude Desktop", redirect_uris: [world.callback!], token_endpoint_auth_method: "none" });
    appId = String(client_id);
    const grant = await createGrant(deps.db, { userId: w.users.developer.id, orgId: w.org.id, projectId: w.project.id, channel: "production", resource: w.url(), clientId: appId, scopes: "mcp", sessionId: w.members.developer.sessionId });
    keyId = (await w.apiKey("admin", { name: "CI deploy" })).id;
    deps.audit.record(row({ time: T0, userId: w.users.developer.id, grantId: grant.id, clientId: appId, tool: "get_order" }));
    deps.audit.record(row({ time: T0 + 36_000, userId: w.users.admin.id, principal: "apikey", apiKeyId: keyId, tool: "reorder_items", status: "error", errorClass: "runtime", error: "boom" }));
    await deps.audit.flush();
    // The app loses its access afterwards; its calls are what one looks for next.
    await revokeGrant(deps, grant.id, { actorId: w.users.owner.id, reason: "test" });

    const { context, page } = await as("owner");
    await page.goto(url("/admin/acme/shop/audit"));
    const rows = page.locator("tbody tr");
    await rows.first().waitFor();
    const [failed, ok] = [await rows.nth(0).innerText(), await rows.nth(1).innerText()];
    expect(failed).toContain("2026-01-05 09:30:41");
    expect(ok).toContain("2026-01-05 09:30:05");
    expect(ok).toContain("developer@acme.test");
    expect(ok).toContain("Claude Desktop");
    expect(failed).toContain("admin@acme.test");
    expect(failed).toContain("API key: CI deploy");
    const table = await page.locator("table").innerText();
    for (const id of [appId, keyId, w.users.developer.id, w.users.admin.id]) expect(table).not.toContain(id);
    // One vocabulary: the list's badges are the filter's options.
    const badges = await page.locator("tbody .badge").allInnerTexts();
    const options = (await page.locator("#f-status option").allInnerTexts()).slice(1);
    expect(badges.sort()).toEqual(["failed", "succeeded"]);
    expect(options.sort()).toEqual(["failed", "succeeded"]);
    expect(failed).toContain("runtime error");
    await shot(page, "02-list-named");

    await clickAndLoad(page, rows.nth(0).locator("a"));
    expect(await page.locator("h1 .badge").innerText()).toBe("failed");
    const facts = await page.locator("dl.facts").innerText();
    expect(facts).toContain("2026-01-05 09:30:41");
    expect(facts).toContain("admin@acme.test");
    expect(facts).toContain("CI deploy");
    await shot(page, "03-detail-named");
    await context.close();
  }, TIMEOUT);

  test("part of a tool name finds it; the revoked app is still a client to filter by; no match says so", async () => {
    const { context, page } = await as("owner");
    await page.goto(url("/admin/acme/shop/audit"));
    await page.fill("#f-tool", "ORDER");
    await clickAndLoad(page, page.locator(".filter-grid button"));
    expect(await page.locator("tbody tr").count()).toBe(2);

    await page.fill("#f-tool", "");
    await page.selectOption("#f-client", { label: "Claude Desktop (revoked)" });
    await clickAndLoad(page, page.locator(".filter-grid button"));
    expect(new URL(page.url()).searchParams.get("client")).toBe(appId);
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain("get_order");
    await shot(page, "04-revoked-app-filter");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=CSV")]);
    const [head, line] = readFileSync((await download.path())!, "utf8").trim().split("\r\n") as [string, string];
    const cell = (name: string) => line.split(",")[head.split(",").indexOf(name)];
    expect(cell("userEmail")).toBe("developer@acme.test");
    expect(cell("clientName")).toBe("Claude Desktop");
    expect(cell("time")).toBe("2026-01-05T09:30:05.000Z");

    await page.fill("#f-tool", "refund");
    await clickAndLoad(page, page.locator(".filter-grid button"));
    const empty = await page.locator(".empty").innerText();
    expect(empty).toContain("No calls match these filters");
    expect(empty).not.toContain("No calls yet");
    await shot(page, "05-no-calls-match");
    await clickAndLoad(page, page.locator(".empty a", { hasText: "Clear filters" }));
    expect(await page.locator("tbody tr").count()).toBe(2);

    // A caller whose account is gone reads as such, not as an id.
    server.deps.audit.record(row({ time: T0 + 60_000, userId: "usr_gone4a7q", tool: "ping" }));
    await server.deps.audit.flush();
    await page.reload();
    const gone = await page.locator("tbody tr", { hasText: "ping" }).innerText();
    expect(gone).toContain("a former member");
    expect(gone).not.toContain("usr_gone4a7q");
    await context.close();
  }, TIMEOUT);
});
