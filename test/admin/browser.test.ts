/**
 * The settings pages in a real browser (Debian's chromium via playwright-core) against a real listener:
 * first-run setup → project → tool → publish → copy URL; invite → accept → role change → removal; a grant
 * made by a real OAuth flow in the browser, listed in Authorized apps and revoked (the next MCP call gets
 * 401); audit filters, detail and export; API key create and revoke. One browser for the whole file;
 * every step saves a screenshot (the folder is printed).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { s256 } from "../../src/lib/crypto";
import { startTestServer, tempDir } from "../helpers";
import { fillCode } from "./browser-world";

const PASSWORD = "a long enough password";
const APP_HTML = `<!doctype html><html><body><p id="out">waiting</p><p id="host">no host</p><script>
let reach = "blocked";
try { reach = parent.document.cookie === undefined ? "blocked" : "reached"; } catch (e) { reach = "blocked"; }
document.getElementById("out").textContent = "script ran; Portico " + reach;
// The MCP Apps handshake a real app makes (ui/initialize, then initialized; the host sends the tool input).
window.addEventListener("message", (e) => {
  const m = e.data;
  if (m && m.id === 1 && m.result) {
    document.getElementById("host").textContent = "host: " + m.result.hostInfo.name;
    parent.postMessage({ jsonrpc: "2.0", method: "ui/notifications/initialized" }, "*");
  }
  if (m && m.method === "ui/notifications/tool-input") document.getElementById("host").textContent += "; input received";
});
parent.postMessage({ jsonrpc: "2.0", id: 1, method: "ui/initialize", params: { protocolVersion: "2026-01-26", appInfo: { name: "t", version: "1" }, appCapabilities: {} } }, "*");
</script></body></html>`;

let server: Awaited<ReturnType<typeof startTestServer>>;
/** A real loopback redirect target, as a native app's OAuth callback listener would be (RFC 8252). */
let callbackServer: ReturnType<typeof Bun.serve>;
let CALLBACK: string;
let browser: Browser;
let owner: BrowserContext;
let page: Page;
const shots = tempDir("portico-admin-shots-");
let step = 0;
/** Each test drives several pages; chromium on a busy 2-core machine needs headroom. */
const TIMEOUT = 60_000;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: join(shots, `${String(++step).padStart(2, "0")}-${name}.png`), fullPage: true });
}

/** The locator's first match, once it is attached, as visible text (playwright-core has no expect of its own). */
async function textOf(loc: Locator): Promise<string> {
  await loc.first().waitFor();
  return loc.first().innerText();
}

/** Clicks something that navigates, and waits until the next page has loaded. */
async function clickAndLoad(p: Page, target: string | Locator) {
  const navigated = p.waitForEvent("framenavigated", (f) => f === p.mainFrame());
  await (typeof target === "string" ? p.click(target) : target.click());
  await navigated;
  await p.waitForLoadState("load");
}

function url(path: string) {
  return `${server.url}${path}`;
}

beforeAll(async () => {
  server = await startTestServer();
  callbackServer = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("You can close this window.") });
  CALLBACK = `http://127.0.0.1:${callbackServer.port}/callback`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  owner = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await owner.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  owner.setDefaultTimeout(10_000);
  page = await owner.newPage();
  page.on("dialog", (d) => d.accept());
  console.log(`screenshots: ${shots}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  void callbackServer?.stop(true);
});

describe("settings pages in a browser", () => {
  test("first-run setup → create project → add a tool → publish → copy the URL", async () => {
    await page.goto(server.setupUrl!);
    await page.fill("#f-name", "Olivia Owner");
    await page.fill("#f-email", "owner@acme.test");
    await page.fill("#f-password", PASSWORD);
    await page.fill("#f-org_name", "Acme");
    await page.fill("#f-org_slug", "acme");
    await clickAndLoad(page, "text=Create owner and organization");
    await page.goto(url("/admin"));
    expect(await textOf(page.locator(".empty").first())).toContain("No projects yet");
    await shot(page, "admin-empty");

    await page.click("summary:has-text('New project')");
    await page.fill("#np-name-acme", "Shop");
    await page.fill("#np-slug-acme", "shop");
    await clickAndLoad(page, "text=Create project");
    expect(page.url()).toBe(url("/admin/acme/shop?ok=created"));

    await clickAndLoad(page, ".tabs >> text=Tools");
    await clickAndLoad(page, "text=Add a tool");
    await clickAndLoad(page, "text=Script");
    await page.fill("#t-name", "echo");
    await fillCode(page, "inputSchema", '{"type": "string"}');
    await clickAndLoad(page, "text=Create tool");
    expect(await textOf(page.locator(".notice.error"))).toContain('inputSchema: must be a JSON Schema with "type": "object"');
    expect(await page.inputValue("#t-name")).toBe("echo");
    await shot(page, "tool-schema-error");
    await fillCode(page, "inputSchema", '{"type": "object", "properties": {"text": {"type": "string"}}}');
    await clickAndLoad(page, "text=Create tool");
    expect(page.url()).toBe(url("/admin/acme/shop/tools/echo?ok=saved"));

    await page.goto(url("/admin/acme/shop/tools/new?kind=interactive"));
    await page.fill("#t-name", "hello");
    await page.fill("#t-description", "Greets the user in the host's UI.");
    await fillCode(page, "html", APP_HTML);
    await clickAndLoad(page, "text=Create tool");
    const app = page.frameLocator(".preview-frame").frameLocator("iframe[data-mcp-preview]");
    await app.locator("#out", { hasText: "script ran" }).waitFor();
    expect(await textOf(app.locator("#out"))).toBe("script ran; Portico blocked");
    await app.locator("#host", { hasText: "input received" }).waitFor();
    expect(await textOf(app.locator("#host"))).toBe("host: Portico preview; input received");
    expect(await page.locator(".preview-frame").contentFrame().locator("iframe").getAttribute("sandbox")).toBe("allow-scripts");
    await shot(page, "tool-editor-preview");

    await clickAndLoad(page, ".tabs >> text=Publish & history");
    expect(await textOf(page.locator(".diff"))).toContain("echo, hello");
    await clickAndLoad(page, "text=Publish to production");
    expect(await textOf(page.locator(".notice.ok"))).toContain("Published");
    expect(await textOf(page.locator("table"))).toContain("v1");
    await shot(page, "published");

    await clickAndLoad(page, ".tabs >> text=Server");
    await page.click("button:has-text('Copy URL') >> nth=0");
    await page.locator("button:has-text('Copied')").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url("/acme/shop"));
    await shot(page, "server");
  }, TIMEOUT);

  test("invite → accept → change role → remove", async () => {
    await page.goto(url("/admin/acme/settings/members"));
    await page.selectOption("#inv-role", "developer");
    await clickAndLoad(page, "text=Create invite link");
    const invite = (await page.locator(".notice.ok code").textContent())!;
    expect(invite).toStartWith(url("/invite/"));
    await shot(page, "invite-created");

    const guest = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const g = await guest.newPage();
    await g.goto(invite);
    await g.fill("#f-name", "Dev Eloper");
    await g.fill("#f-email", "dev@acme.test");
    await g.fill("#f-password", PASSWORD);
    await clickAndLoad(g, "text=Create account and join");
    await g.goto(url("/admin/acme/shop"));
    expect(await textOf(g.locator("h1"))).toBe("Shop");
    await shot(g, "phone-server-page");

    await page.goto(url("/admin/acme/settings/members"));
    const row = page.locator("tr", { hasText: "dev@acme.test" });
    expect(await row.locator("select").inputValue()).toBe("developer");
    await row.locator("select").selectOption("viewer");
    await clickAndLoad(page, row.locator("text=Change"));
    expect(await textOf(page.locator(".notice.ok"))).toBe("Role changed.");
    expect(await page.locator("tr", { hasText: "dev@acme.test" }).locator("select").inputValue()).toBe("viewer");
    await g.goto(url("/admin/acme/shop/tools/echo"));
    expect(await g.locator("fieldset[disabled]").count()).toBe(1);
    await shot(g, "phone-viewer-readonly-tool");

    await clickAndLoad(page, page.locator("tr", { hasText: "dev@acme.test" }).locator("text=Remove"));
    expect(await textOf(page.locator(".notice.ok"))).toContain("Member removed");
    expect(await page.locator("tr", { hasText: "dev@acme.test" }).count()).toBe(0);
    await shot(page, "member-removed");
    const gone = await g.goto(url("/admin/acme/shop"));
    expect(gone!.status()).toBe(404);
    await guest.close();
  }, TIMEOUT);

  test("a grant from a real OAuth flow is listed in Authorized apps; revoking it makes the next MCP call 401", async () => {
    const reg = await fetch(url("/oauth/register"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Browser Test App", redirect_uris: [CALLBACK], token_endpoint_auth_method: "none" }),
    });
    const { client_id } = (await reg.json()) as { client_id: string };
    const verifier = crypto.randomUUID() + crypto.randomUUID();
    const resource = url("/acme/shop");
    const authorize = new URL(url("/oauth/authorize"));
    for (const [k, v] of Object.entries({ response_type: "code", client_id, redirect_uri: CALLBACK, code_challenge: s256(verifier), code_challenge_method: "S256", state: "s1", resource })) {
      authorize.searchParams.set(k, v);
    }
    await page.goto(authorize.toString());
    await shot(page, "consent");
    await clickAndLoad(page, "button:has-text('Authorize')");
    const callback = new URL(page.url());
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get("state")).toBe("s1");
    const token = await fetch(url("/oauth/token"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: callback!.searchParams.get("code")!, redirect_uri: CALLBACK, code_verifier: verifier, client_id, resource }),
    });
    const { access_token } = (await token.json()) as { access_token: string };

    const client = new Client({ name: "browser-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${access_token}` } } }));
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names.filter((n) => !n.startsWith("portico_")).sort()).toEqual(["echo", "hello"]);
    await client.callTool({ name: "hello", arguments: {} });

    await page.goto(url("/admin/acme/shop"));
    const steps = await textOf(page.locator(".card", { hasText: "Recent connection steps" }));
    expect(steps).toContain("Browser Test App");
    expect(steps).toContain("exchanged the code for tokens");
    await shot(page, "connection-steps");

    await page.goto(url("/admin/acme/settings/apps"));
    const row = page.locator("tr", { hasText: "Browser Test App" });
    expect(await textOf(row)).toContain("owner@acme.test");
    expect(await textOf(row)).toContain("unverified name");
    expect(await textOf(row)).toContain("returns to 127.0.0.1");
    expect(await textOf(row)).toContain("production");
    await shot(page, "authorized-apps");
    await clickAndLoad(page, row.locator("text=Revoke"));
    expect(await textOf(page.locator(".notice.ok"))).toContain("Access revoked");
    await page.locator(".empty").waitFor();

    const after = await fetch(resource, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toContain("invalid_token");
    await client.close().catch(() => {});
  }, TIMEOUT);

  test("audit log: filter, open an event, export the filtered set", async () => {
    await page.goto(url("/admin/acme/shop/audit"));
    await page.locator("tbody tr").first().waitFor();
    await page.fill("#f-tool", "hello");
    await clickAndLoad(page, ".filter-grid >> text=Filter");
    expect(new URL(page.url()).searchParams.get("tool")).toBe("hello");
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await textOf(rows.first())).toContain("owner@acme.test");
    await shot(page, "audit-filtered");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=JSONL")]);
    const lines = readFileSync((await download.path())!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.tool)).toEqual(["hello"]);
    await clickAndLoad(page, rows.first().locator("a"));
    expect(await textOf(page.locator("h1"))).toContain("hello");
    expect(await textOf(page.locator(".detail"))).toContain("Input");
    await shot(page, "audit-detail");
  }, TIMEOUT);

  test("API keys: create (shown once, works), revoke (refused at once)", async () => {
    await page.goto(url("/admin/acme/shop/keys"));
    await page.fill("#k-name", "CI deploy");
    await clickAndLoad(page, "text=Create key");
    const key = (await page.locator(".notice.ok code").first().textContent())!;
    expect(key).toStartWith("prt_");
    await shot(page, "api-key-created");
    const use = () => fetch(url("/api/v1/projects/acme/shop"), { headers: { authorization: `Bearer ${key}` } });
    expect((await use()).status).toBe(200);
    await page.goto(url("/admin/acme/shop/keys"));
    expect(await page.content()).not.toContain(key);
    await clickAndLoad(page, page.locator("tr", { hasText: "CI deploy" }).locator("text=Revoke"));
    expect(await textOf(page.locator(".notice.ok"))).toContain("revoked");
    await shot(page, "api-key-revoked");
    expect((await use()).status).toBe(401);
  }, TIMEOUT);
});
