/**
 * The browser-facing surface under attack, against a real `portico serve`: open redirects through every
 * parameter that ends in a redirect (return_to on login and invites, redirect_uri and state on authorize),
 * CRLF header injection through them, login brute force, session fixation, and stored XSS — markup in
 * org, project, user, tool, prompt, instructions, API key, version note, audit payload and OAuth client
 * names must come out escaped on every settings page and on the consent page.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CookieJar, hiddenField } from "../../helpers";
import { s256 } from "../../../src/lib/crypto";
import { portico, PASSWORD } from "../support/portico";
import { authorizeUrl, loginAttempt, obtainTokens, REDIRECT_URI, registerClient, signIn } from "../support/oauth";
import { expectHealthy, expectSafe, LIVE_MARKUP, mcpPost, startWorld, XSS, type World } from "./world";

// Real processes, argon2 and many requests per test: bun 1.4.5 ignores bunfig's timeout, so set it here.
setDefaultTimeout(60_000);

let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 60_000);
afterAll(() => w?.server.stop());

const HOSTILE_RETURN_TO = [
  "https://evil.example/x", "//evil.example", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "http:evil.example",
  "https:/evil.example", "/%2F%2Fevil.example", " //evil.example", "/\t/evil.example", "/admin\r\nX-Injected: 1", "data:text/html,x",
  "/.//evil.example", "%2F%2Fevil.example", "/\u3002evil.example",
];

/** A redirect stays on Portico's origin (or goes nowhere). */
function expectSameOrigin(res: Response, what: string) {
  expect(res.headers.get("x-injected"), what).toBeNull();
  const location = res.headers.get("location");
  if (location) expect(new URL(location, w.base).origin, `${what} → ${location}`).toBe(w.base);
}

async function csrfOf(jar: CookieJar): Promise<string> {
  return ((await (await fetch(`${w.base}/api/v1/me`, { headers: { cookie: jar.header } })).json()) as { csrfToken: string }).csrfToken;
}

describe("open redirects and header injection", () => {
  test("return_to on sign-in (form and already-signed-in GET) never leaves the origin", async () => {
    for (const returnTo of HOSTILE_RETURN_TO) {
      const res = await loginAttempt(w.base, w.email, PASSWORD, new CookieJar(), returnTo);
      await expectSafe(res, returnTo);
      expect(res.status).toBe(303);
      expectSameOrigin(res, `login ${returnTo}`);
    }
    const jar = await signIn(w.base, w.email, PASSWORD);
    for (const returnTo of HOSTILE_RETURN_TO) {
      const res = await fetch(`${w.base}/login?return_to=${encodeURIComponent(returnTo)}`, { headers: { cookie: jar.header }, redirect: "manual" });
      expectSameOrigin(res, `GET login ${returnTo}`);
    }
    await expectHealthy(w);
  });

  test("return_to through an invite (page and sign-up) never leaves the origin", async () => {
    const jar = await signIn(w.base, w.email, PASSWORD);
    const csrf = await csrfOf(jar);
    for (const [i, returnTo] of HOSTILE_RETURN_TO.slice(0, 6).entries()) {
      const invite = await fetch(`${w.base}/api/v1/orgs/acme/invites`, {
        method: "POST",
        headers: { cookie: jar.header, "x-csrf-token": csrf, "content-type": "application/json" },
        body: JSON.stringify({ role: "viewer" }),
      });
      const { url } = (await invite.json()) as { url: string };
      const visitor = new CookieJar();
      const page = visitor.store(await fetch(`${url}?return_to=${encodeURIComponent(returnTo)}`));
      const html = await expectSafe(page, `invite page ${returnTo}`);
      expect(hiddenField(html, "return_to") ?? "/admin").toMatch(/^\/(?![/\\])/);
      const res = visitor.store(
        await fetch(url, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: visitor.header },
          body: new URLSearchParams({ csrf: hiddenField(html, "csrf")!, mode: "signup", return_to: returnTo, name: "New", email: `new${i}@acme.example`, password: PASSWORD }),
        }),
      );
      expect(res.status).toBe(303);
      expectSameOrigin(res, `invite ${returnTo}`);
    }
    await expectHealthy(w);
  });

  test("authorize redirects only to the exact registered redirect URI, with state encoded", async () => {
    const jar = await signIn(w.base, w.email, PASSWORD);
    const { client_id } = await registerClient(w.base);
    const base = { response_type: "code", client_id, code_challenge: s256("v".repeat(43)), code_challenge_method: "S256", state: "s", resource: w.mcpUrl };
    const evil = [
      "https://evil.example/callback", "http://127.0.0.1.evil.example:45999/callback", "http://127.0.0.1:45999@evil.example/callback",
      `${REDIRECT_URI}/../../evil`, `${REDIRECT_URI}?next=https://evil.example`, `${REDIRECT_URI}#frag`, REDIRECT_URI.toUpperCase(),
      "http://127.0.0.1:45999/callback%0d%0aX-Injected:%201", "javascript:alert(1)//",
    ];
    for (const redirect_uri of evil) {
      const res = await fetch(authorizeUrl(w.base, { ...base, redirect_uri }), { headers: { cookie: jar.header }, redirect: "manual" });
      await expectSafe(res, redirect_uri);
      expectSameOrigin(res, `redirect_uri ${redirect_uri}`);
    }
    let carried = 0;
    for (const state of ["a\r\nX-Injected: 1", "<script>x</script>", "\u0000", "%0d%0aSet-Cookie: a=b"]) {
      // An error after the redirect URI is validated (unsupported response_type) carries state back. For a
      // DCR client it is not redirected automatically (issue 11 #7, RFC 9700 §4.11.1): the error page links back.
      const err = await fetch(authorizeUrl(w.base, { ...base, redirect_uri: REDIRECT_URI, response_type: "token", state }), { headers: { cookie: jar.header }, redirect: "manual" });
      const body = await expectSafe(err, `state ${JSON.stringify(state)}`);
      expect(err.headers.get("x-injected")).toBeNull();
      expect(err.headers.get("set-cookie")).toBeNull();
      expect(err.headers.get("location")).toBeNull();
      const href = /<a class="button secondary" href="([^"]+)"/.exec(body)?.[1]?.replaceAll("&amp;", "&");
      if (href) {
        expect(href.startsWith(`${REDIRECT_URI}?`)).toBe(true);
        expect(new URL(href).searchParams.get("state")).toBe(state);
        carried++;
      }
    }
    expect(carried).toBe(4);
    await expectHealthy(w);
  });
});

describe("sign-in", () => {
  test("brute force on one account hits the rate limit (429 with Retry-After), even for the right password", async () => {
    const victim = "victim@acme.example";
    await portico(w.dataDir, "user", "create", "--email", victim, "--password", PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await loginAttempt(w.base, victim, `wrong password ${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const right = await loginAttempt(w.base, victim, PASSWORD);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(right.headers.getSetCookie().some((c) => c.startsWith("portico_session="))).toBe(false);
    await expectHealthy(w);
  });

  test("session fixation: a session planted before sign-in is replaced and ended", async () => {
    // The attacker signs in as themselves and plants that session cookie in the victim's browser, which
    // then posts the sign-in form (with its own pre-sign-in CSRF pair).
    const attacker = await signIn(w.base, w.email, PASSWORD);
    const planted = attacker.get("portico_session")!;
    for (const cookie of [planted, "attacker-chosen-value"]) {
      const form = new CookieJar();
      const csrf = hiddenField(await form.store(await fetch(`${w.base}/login`)).text(), "csrf")!;
      const res = form.store(
        await fetch(`${w.base}/login`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${form.header}; portico_session=${cookie}` },
          body: new URLSearchParams({ csrf, email: w.email, password: PASSWORD }),
        }),
      );
      expect(res.status).toBe(303);
      const issued = form.get("portico_session");
      expect(issued).toBeDefined();
      expect(issued).not.toBe(cookie);
      // The pre-sign-in CSRF cookie is cleared too, so it is never reused.
      expect(form.get("portico_csrf")).toBeUndefined();
    }
    const old = await fetch(`${w.base}/admin`, { headers: { cookie: `portico_session=${planted}` }, redirect: "manual" });
    expect(old.status).toBe(303);
    expect(old.headers.get("location")).toStartWith("/login");
    await expectHealthy(w);
  });
});

describe("stored XSS", () => {
  test("markup in every stored name and text is escaped on the settings pages and the consent page", async () => {
    const jar = await signIn(w.base, w.email, PASSWORD);
    // Audit payloads and an authorized app with a hostile name, so those pages have something to render.
    expect((await mcpPost(w, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: XSS } } }))).status).toBe(200);
    const client = await registerClient(w.base, { client_name: `App ${XSS}`, client_uri: "https://app.example" });
    await obtainTokens(w.base, jar, w.mcpUrl, client.client_id);
    const consent = await fetch(authorizeUrl(w.base, { response_type: "code", client_id: client.client_id, redirect_uri: REDIRECT_URI, code_challenge: s256("v".repeat(43)), code_challenge_method: "S256", state: XSS }), { headers: { cookie: jar.header } });
    const rejectedName = await fetch(`${w.base}/api/v1/projects/acme/shop/tools`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "<img src=x>", kind: "script", script: "export default () => 1" }),
    });
    expect(rejectedName.status).toBe(400);
    let auditId: number | undefined;
    for (let i = 0; i < 50 && auditId === undefined; i++) {
      const { events } = await (await fetch(`${w.base}/api/v1/projects/acme/shop/audit?tool=echo`, { headers: { authorization: `Bearer ${w.key}` } })).json();
      auditId = events[0]?.id;
      if (auditId === undefined) await Bun.sleep(100);
    }
    const pages = [
      "/admin", "/admin/acme", "/admin/acme/shop", "/admin/acme/shop/tools", "/admin/acme/shop/tools/echo", "/admin/acme/shop/tools/card",
      "/admin/acme/shop/tools/card/preview", "/admin/acme/shop/instructions", "/admin/acme/shop/publish", "/admin/acme/shop/publish/versions/1",
      "/admin/acme/shop/audit", `/admin/acme/shop/audit/${auditId}`, "/admin/acme/shop/keys", "/admin/acme/shop/visibility",
      "/admin/acme/settings/members", "/admin/acme/settings/apps", "/admin/acme/settings/audit", "/account", "/account/apps",
    ];
    const rendered: Array<[string, string]> = [["consent", await consent.text()]];
    for (const path of pages) {
      const res = await fetch(`${w.base}${path}`, { headers: { cookie: jar.header } });
      rendered.push([path, await expectSafe(res, path)]);
      expect(res.status, path).toBe(200);
    }
    for (const [path, html] of rendered) {
      for (const live of LIVE_MARKUP) expect(live.test(html), `${path} renders ${live}`).toBe(false);
    }
    // The payloads really were rendered (escaped), so the check above is not vacuous.
    const escaped = rendered.filter(([, html]) => html.includes("&lt;img src=x onerror=alert(1)&gt;")).map(([p]) => p);
    expect(escaped).toEqual(expect.arrayContaining(["consent", "/admin/acme/shop", "/admin/acme/shop/tools", "/admin/acme/shop/instructions", "/admin/acme/settings/apps", `/admin/acme/shop/audit/${auditId}`]));
    await expectHealthy(w);
  });
});

test("nothing in this file made the server log an error", () => {
  expect(w.server.errorLogs()).toEqual([]);
});
