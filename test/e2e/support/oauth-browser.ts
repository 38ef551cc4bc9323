/**
 * A stand-in for the user's browser when an MCP client "opens" an authorization URL: `bun oauth-browser.ts URL`
 * drives headless Debian chromium (playwright-core) through Portico's sign-in and consent pages and clicks
 * Authorize, then waits until the browser has landed on the client's redirect URI. Started by xdg-open through
 * `BROWSER` (see browserOpener()). Credentials come from E2E_EMAIL / E2E_PASSWORD; what it saw is appended as
 * JSON lines to E2E_BROWSER_LOG so the test can assert on it.
 */
import { appendFileSync } from "node:fs";
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

function record(event: Record<string, unknown>) {
  const file = process.env.E2E_BROWSER_LOG;
  if (file) appendFileSync(file, JSON.stringify(event) + "\n");
}

async function authorize(url: string) {
  const start = new URL(url);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(url);
    if (new URL(page.url()).pathname === "/login") {
      record({ step: "login", url: page.url() });
      await page.fill("input[name=email]", process.env.E2E_EMAIL!);
      await page.fill("input[name=password]", process.env.E2E_PASSWORD!);
      await Promise.all([page.waitForURL((u) => u.pathname !== "/login"), page.click("button[type=submit]")]);
    }
    const authorizeButton = page.locator("button[name=decision][value=approve]");
    await authorizeButton.waitFor();
    record({ step: "consent", url: page.url(), text: await page.locator("main, body").first().innerText() });
    // The redirect lands on the client's loopback callback: a different origin than Portico's.
    await Promise.all([page.waitForURL((u) => u.origin !== start.origin), authorizeButton.click()]);
    const landed = new URL(page.url());
    record({ step: "callback", origin: landed.origin, path: landed.pathname, hasCode: landed.searchParams.has("code"), iss: landed.searchParams.get("iss") });
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  authorize(process.argv[2]!).then(
    () => process.exit(0),
    (err) => {
      record({ step: "error", message: String(err?.message ?? err) });
      process.exit(1);
    },
  );
}
