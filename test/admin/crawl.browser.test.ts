/**
 * The crawler (issue 16, "Done when"): for a signed-out visitor and for each member of the seeded org
 * (owner, admin, developer, viewer) and an outsider, start at the home page and follow every same-origin
 * link breadth-first in Debian's Chromium, asserting on every page:
 *
 * - no 5xx, and no 4xx on a link the page itself offered (a link the role cannot open is a dead end);
 * - a way back: a link to `/`, `/admin`, `/login` or a parent of the page — error pages included (a few
 *   addresses that fail on purpose are visited too: a missing tool, a missing org, a page above the role,
 *   an unusable invite or reset link, setup once set up; a visitor also starts at a pending invite link);
 * - no console error (CSP violations are console errors in Chromium), no uncaught exception and no failed
 *   same-origin subresource (script, style, image, font, frame);
 * - no control the role cannot use: every enabled POST form the page offers is submitted, as the browser
 *   would send it (its own fields, CSRF token and default values), to a copy of the world and must not be
 *   answered 403 (or 5xx). The server's own answer is the judge, not a table of routes and roles that could
 *   drift from src/services/access.ts: each submission gets a fresh app on a byte copy of the world's data
 *   dir taken before the crawl (~40 ms), so a Revoke or a Remove changes nothing the crawl or the next
 *   submission sees. Forms that are visibly disabled (a viewer's read-only tool form) are not controls.
 *   GET forms (filters) are followed like links. The signed-out visitor's forms (sign in) are for anyone.
 *
 * Time: 44-52 s of CPU in all (bun and Chromium, `time` user+sys) for ~180 pages and ~120 form submissions,
 * the owner's full-page screenshots a large share. Measured on 2 cores shared at a load average of 10-16
 * the wall time was 2-3 minutes; the CPU it needs suggests under a minute on a quiet machine (not measured).
 *
 * Only GET is ever sent to the crawled server. `/logout` is followed too: its GET is a confirmation page
 * (src/auth/logout.ts), and the test checks every member is still signed in afterwards, which is what
 * "no link changes state on GET" means here. Pages are deduplicated by path with ids normalized, at most
 * two addresses per path and set of query keys, so the crawl stays bounded as the world grows.
 *
 * A full-page screenshot of each page the owner and the visitor see (and the consent and error pages) goes
 * to test-output/screenshots/ (git-ignored); the small committed ones come from `npm run screenshots`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { makeApp, tempDir } from "../helpers";
import type { Who } from "../fixtures/world";
import { liveIn } from "./lived-in-world";
import { consentUrl, signedInPage, startBrowserWorld, stopBrowserWorld, type BrowserWorld } from "./browser-world";

const SHOTS = join(import.meta.dir, "../../test-output/screenshots");
const TIMEOUT = 300_000;
/** Who crawls: a signed-out visitor, then every role of the seeded org and a user of no org. */
type Crawler = Who | "visitor";
const ALL_CRAWLERS: Crawler[] = ["visitor", "owner", "admin", "developer", "viewer", "outsider"];
/** `CRAWL_AS=viewer,outsider` crawls as those alone (while fixing what one of them found). */
const CRAWLERS = process.env.CRAWL_AS ? ALL_CRAWLERS.filter((who) => process.env.CRAWL_AS!.split(",").includes(who)) : ALL_CRAWLERS;
/** Crawlers whose every page is kept as a screenshot (the others see subsets of the owner's pages). */
const PHOTOGRAPHED: Crawler[] = ["visitor", "owner"];
/** Addresses that fail on purpose, visited by every crawler for their error page (not offered links). */
const ERROR_PAGES = [
  "/admin/acme/shop/tools/no-such-tool", "/admin/no-such-org", "/admin/acme/settings/audit", "/no-such-page",
  "/invite/not-a-token", "/reset/not-a-token", "/setup",
];
/** Where a crawler starts from (home redirects there): the pages a way back leads to, which need none. */
const HOMES = ["/admin", "/login"];
/** Addresses of one path and one set of query keys visited at most this often (audit details, filters). */
const PER_PATTERN = 1;
/** Crawlers at a time. */
const PARALLEL = 2;

let world: Partial<BrowserWorld> = {};
/** The pending invite's link: where a signed-out visitor starts too (nothing links to it; it comes by email). */
let inviteUrl = "";
/** A byte copy of the world's data dir, taken after seeding and before the crawl. */
let snapshot = "";

interface Problem {
  who: Crawler;
  page: string;
  what: string;
}

interface FoundForm {
  method: string;
  action: string;
  fields: Array<[string, string]>;
  /** The page that offered it. */
  page: string;
}

interface CrawlResult {
  pages: string[];
  forms: FoundForm[];
  problems: Problem[];
}

beforeAll(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  world = await startBrowserWorld();
  const { server, w, callback } = world as BrowserWorld;
  ({ inviteUrl } = await liveIn(server.deps, w, callback));
  snapshot = tempDir("portico-crawl-snapshot-");
  const dataDir = server.deps.config.dataDir;
  // VACUUM INTO writes a consistent copy of a live WAL database; the secret key file goes beside it.
  (server.deps.db as unknown as { $client: { exec(sql: string): void } }).$client.exec(`VACUUM INTO '${join(snapshot, "portico.db")}'`);
  cpSync(join(dataDir, "secret.key"), join(snapshot, "secret.key"));
}, TIMEOUT);

afterAll(() => stopBrowserWorld(world));

/**
 * `/admin/acme/shop/audit/aud_3kq…` → `/admin/:org/:project/audit/:id`: generated ids, numbers and tokens,
 * and the org and project (a second project's pages are the first one's again).
 */
function routePattern(path: string): string {
  const segs = path.split("/").map((seg) => (/^[a-z]+_[A-Za-z0-9_-]{16,}$/.test(seg) || /^\d+$/.test(seg) || seg.length >= 32 ? ":id" : seg));
  if (segs[1] === "admin" && segs.length > 2) segs[2] = ":org";
  if (segs[1] === "admin" && segs.length > 3 && !["settings", "new"].includes(segs[3]!)) segs[3] = ":project";
  return segs.join("/");
}

function patternKey(u: URL): string {
  return `${routePattern(u.pathname)}?${[...new Set(u.searchParams.keys())].sort().join("&")}`;
}

const isDownload = (path: string) => /\.(csv|jsonl|json)$/.test(path);

async function contextFor(who: Crawler): Promise<{ context: BrowserContext; page: Page }> {
  if (who !== "visitor") return signedInPage(world as BrowserWorld, who, 800);
  const context = await world.browser!.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

/** What one page offers, read in the page. */
interface PageFacts {
  links: string[];
  wayBack: boolean;
  forms: Array<{ method: string; action: string; fields: Array<[string, string]>; usable: boolean }>;
}

function readPage(page: Page): Promise<PageFacts> {
  return page.evaluate(() => {
    const here = location.pathname;
    const sameOrigin = [...document.querySelectorAll<HTMLAnchorElement>("a[href]")]
      .map((a) => new URL(a.href, location.href))
      .filter((u) => u.origin === location.origin);
    const wayBack = sameOrigin.some(
      (u) => u.pathname !== here && (u.pathname === "/" || u.pathname === "/admin" || u.pathname === "/login" || here.startsWith(`${u.pathname.replace(/\/$/, "")}/`)),
    );
    const forms = [...document.querySelectorAll<HTMLFormElement>("form")].map((f) => {
      const submits = [...f.querySelectorAll<HTMLButtonElement | HTMLInputElement>("button:not([type]), button[type=submit], input[type=submit]")];
      const enabled = submits.filter((b) => !b.matches(":disabled"));
      const data = new FormData(f, enabled[0] ?? null);
      return {
        method: (f.getAttribute("method") ?? "get").toLowerCase(),
        action: new URL(f.getAttribute("action") ?? location.href, location.href).href,
        fields: [...data].filter(([, v]) => typeof v === "string") as Array<[string, string]>,
        usable: enabled.length > 0,
      };
    });
    return { links: sameOrigin.map((u) => { u.hash = ""; return u.href; }), wayBack, forms };
  });
}

/** Breadth-first over every same-origin link from the home page, as `who`. */
async function crawl(who: Crawler): Promise<CrawlResult> {
  const { server } = world as BrowserWorld;
  const origin = server.url;
  const { context, page } = await contextFor(who);
  // A shared 2-core machine can take seconds for a page with the code editor; a slow page is not a broken one.
  context.setDefaultTimeout(30_000);
  const problems: Problem[] = [];
  let current = "/";
  const problem = (what: string, at = current) => problems.push({ who, page: at, what });
  page.on("console", (m) => {
    // Chromium also logs the page's own error status ("Failed to load resource: … 404"); that status is
    // judged below (offered link or not), so only errors from elsewhere count here.
    if (m.type() !== "error") return;
    if (m.location().url === page.url() && m.text().startsWith("Failed to load resource")) return;
    problem(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problem(`uncaught exception: ${e.message}`));
  page.on("response", (r) => {
    const req = r.request();
    const mainDocument = req.resourceType() === "document" && req.frame() === page.mainFrame();
    if (!mainDocument && r.url().startsWith(origin) && r.status() >= 400) problem(`${req.resourceType()} ${new URL(r.url()).pathname} answered ${r.status()}`);
  });
  page.on("requestfailed", (req) => {
    const mainDocument = req.resourceType() === "document" && req.frame() === page.mainFrame();
    // The browser fetches the favicon on its own and drops the fetch when the crawler moves on (net::ERR_ABORTED):
    // that is the crawl's doing, not the page's. Any other failure of it (a 404) still counts.
    if (req.resourceType() === "other" && req.failure()?.errorText === "net::ERR_ABORTED") return;
    if (!mainDocument && req.url().startsWith(origin)) problem(`${req.resourceType()} ${new URL(req.url()).pathname} failed: ${req.failure()?.errorText}`);
  });

  const starts = who === "visitor" ? [`${origin}/`, inviteUrl] : [`${origin}/`];
  const queue: Array<{ url: string; from: string | null }> = [...starts.map((url) => ({ url, from: "(the start)" })), ...ERROR_PAGES.map((p) => ({ url: origin + p, from: null }))];
  const seen = new Set<string>();
  const perPattern = new Map<string, number>();
  const pages: string[] = [];
  const forms = new Map<string, FoundForm>();
  const photographed = new Set<string>();
  const offer = (url: string, from: string) => {
    const u = new URL(url);
    if (u.origin !== origin || seen.has(u.href)) return;
    const key = patternKey(u);
    if ((perPattern.get(key) ?? 0) >= PER_PATTERN) return;
    seen.add(u.href);
    perPattern.set(key, (perPattern.get(key) ?? 0) + 1);
    queue.push({ url: u.href, from });
  };
  for (const q of queue) seen.add(q.url);

  while (queue.length) {
    const { url, from } = queue.shift()!;
    const u = new URL(url);
    current = u.pathname + u.search;
    pages.push(current);
    const offered = from !== null;
    if (isDownload(u.pathname)) {
      const res = await context.request.get(url, { maxRedirects: 0 });
      if (res.status() >= 500 || (offered && res.status() >= 400)) problem(`download answered ${res.status()} (offered on ${from})`);
      continue;
    }
    const res = await page.goto(url, { waitUntil: "load" });
    const status = res?.status() ?? 0;
    if (status >= 500) problem(`answered ${status}`);
    else if (offered && status >= 400) problem(`a link offered on ${from} answered ${status} (a dead end for ${who})`);
    const landed = new URL(page.url());
    if (landed.origin !== origin) continue;
    const facts = await readPage(page);
    if (!facts.wayBack && !HOMES.includes(landed.pathname)) problem("no way back (no link to /, /admin, /login or a parent page)");
    // The owner's and the visitor's pages, and the error pages of a member who may do everything and of one who may do least.
    const name = offered ? `${who}${routePattern(landed.pathname).replace(/[/:]+/g, "-")}` : `${who}-error${u.pathname.replace(/[/:]+/g, "-")}-${status}`;
    const photographs = offered ? PHOTOGRAPHED.includes(who) : status >= 400 && ["owner", "viewer", "visitor"].includes(who);
    if (photographs && !photographed.has(name)) {
      photographed.add(name);
      // JPEG: a full-page PNG of a long page costs Chromium several times as much to encode.
      await page.screenshot({ path: join(SHOTS, `${name.replace(/-$/, "")}.jpg`), fullPage: true, type: "jpeg", quality: 80, timeout: 30_000 });
    }
    for (const link of facts.links) offer(link, current);
    for (const f of facts.forms) {
      if (!f.usable) continue;
      if (f.method === "get") {
        const target = new URL(f.action);
        target.search = new URLSearchParams(f.fields).toString();
        offer(target.href, current);
      } else {
        // Every form of a visited page, by its exact address: the Change of the owner's row is not the admin's.
        const key = `${f.method} ${f.action}`;
        if (!forms.has(key)) forms.set(key, { method: f.method, action: f.action, fields: f.fields, page: current });
      }
    }
  }
  await context.close();
  return { pages, forms: [...forms.values()], problems };
}

/**
 * Submits a form as the browser would, to a fresh app on a copy of the world (see the file comment), and
 * returns the status. Addresses are re-rooted on the copy's own public URL.
 */
async function submitOnCopy(who: Who, form: FoundForm): Promise<number> {
  const dataDir = tempDir("portico-crawl-probe-");
  cpSync(snapshot, dataDir, { recursive: true });
  const t = await makeApp({ dataDir });
  try {
    const u = new URL(form.action);
    const res = await t.app.handle(
      new Request(`http://localhost${u.pathname}${u.search}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: (world as BrowserWorld).w.members[who].cookie },
        body: new URLSearchParams(form.fields).toString(),
        redirect: "manual",
      }),
    );
    return res.status;
  } finally {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("the crawler: every page as every role", () => {
  test("no 5xx, no dead end, a way back everywhere, no console error, no control the role cannot use", async () => {
    const started = performance.now();
    const problems: Problem[] = [];
    const summary = new Map<Crawler, string>();
    const one = async (who: Crawler) => {
      const t0 = performance.now();
      const result = await crawl(who);
      problems.push(...result.problems);
      let probed = 0;
      const crawled = performance.now();
      if (who !== "visitor") {
        for (const form of result.forms) {
          const status = await submitOnCopy(who, form);
          probed++;
          const action = `${form.method.toUpperCase()} ${new URL(form.action).pathname}`;
          if (status === 403) problems.push({ who, page: form.page, what: `offers a form the role cannot use: ${action} answered 403` });
          else if (status >= 500) problems.push({ who, page: form.page, what: `a form's ${action} answered ${status}` });
        }
      }
      summary.set(who, `${who.padEnd(9)} ${String(result.pages.length).padStart(3)} pages, ${String(probed).padStart(2)} forms submitted on copies, ${((crawled - t0) / 1000).toFixed(1)} s + ${((performance.now() - crawled) / 1000).toFixed(1)} s`);
    };
    // Crawlers run PARALLEL at a time: each waits on the server and the browser in turn.
    const waiting = [...CRAWLERS];
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      for (let who = waiting.shift(); who; who = waiting.shift()) await one(who);
    }));
    const lines = CRAWLERS.map((who) => summary.get(who)!);
    console.log(`crawl (${((performance.now() - started) / 1000).toFixed(1)} s):\n  ${lines.join("\n  ")}\nscreenshots: ${SHOTS}`);
    expect(problems.map((p) => `${p.who} on ${p.page}: ${p.what}`)).toEqual([]);
  }, TIMEOUT);

  test("following /logout on GET signed nobody out", async () => {
    const { server, w } = world as BrowserWorld;
    for (const who of ["owner", "admin", "developer", "viewer", "outsider"] as const) {
      const res = await fetch(`${server.url}/admin`, { headers: { cookie: w.members[who].cookie }, redirect: "manual" });
      expect(`${who} ${res.status}`).toBe(`${who} 200`);
    }
  });

  test("the OAuth consent page has a way back and no console error", async () => {
    const authorize = await consentUrl(world as BrowserWorld);
    const { context, page } = await signedInPage(world as BrowserWorld, "developer", 800);
    const errors: string[] = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.message));
    const res = await page.goto(authorize);
    expect(res!.status()).toBe(200);
    expect(await page.locator("button:has-text('Authorize')").count()).toBe(1);
    const facts = await readPage(page);
    await page.screenshot({ path: join(SHOTS, "developer-oauth-consent.jpg"), fullPage: true, type: "jpeg", quality: 80 });
    expect(errors).toEqual([]);
    expect(facts.wayBack || (await page.locator("a, button", { hasText: /cancel|deny|another account/i }).count()) > 0).toBe(true);
    await context.close();
  }, TIMEOUT);
});
