import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { PRE_CSRF_COOKIE, SESSION_COOKIE } from "../../src/auth/cookies";
import { resolveSession } from "../../src/auth/sessions";
import { SIGN_IN_LIMIT, SignIn } from "../../src/auth/sign-in";
import { RateLimitError } from "../../src/errors";
import { parseTrustedProxy } from "../../src/http/trusted-proxy";
import { makeApp, postForm, req, type TestApp } from "../helpers";
import { Browser, PASSWORD, seedUser } from "./flow";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let t: TestApp;
afterEach(() => t?.close());

describe("sign-in", () => {
  test("the right password signs in with an HttpOnly SameSite=Lax cookie and goes to return_to", async () => {
    t = await makeApp();
    await seedUser(t);
    const b = new Browser(t);
    const res = await b.signIn("ada@example.com", PASSWORD, "/oauth/authorize?client_id=x&state=y");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/oauth/authorize?client_id=x&state=y");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure");
    expect((await b.get("/")).headers.get("location")).toBe("/admin");
  });

  test("/ sends a visitor to /login once a user exists, and a signed-in one to /admin", async () => {
    t = await makeApp();
    await seedUser(t);
    const b = new Browser(t);
    expect((await b.get("/")).headers.get("location")).toBe("/login");
    await b.signIn("ada@example.com");
    expect((await b.get("/")).headers.get("location")).toBe("/admin");
    expect((await b.get("/login?return_to=%2Faccount")).headers.get("location")).toBe("/account");
  });

  test("the cookie is Secure when the public URL is https", async () => {
    t = await makeApp({ publicUrl: "https://portico.example.com" });
    await seedUser(t);
    const res = await new Browser(t).signIn("ada@example.com");
    expect(res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toContain("Secure");
  });

  test("an absolute or protocol-relative return_to is ignored", async () => {
    t = await makeApp();
    await seedUser(t);
    for (const bad of ["https://evil.example/x", "//evil.example/x", "/\\evil.example"]) {
      const res = await new Browser(t).signIn("ada@example.com", PASSWORD, bad);
      expect(res.headers.get("location")).toBe("/admin");
    }
  });

  test("a wrong password and an unknown email get the same message and no session", async () => {
    t = await makeApp();
    await seedUser(t);
    const wrong = await new Browser(t).signIn("ada@example.com", "not the password");
    const unknown = await new Browser(t).signIn("nobody@example.com", PASSWORD);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
      expect(await res.text()).toContain("Wrong email or password.");
    }
  });

  test("a post without the CSRF token is refused", async () => {
    t = await makeApp();
    await seedUser(t);
    const res = await postForm(t.app, "/login", { email: "ada@example.com", password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  test(`after ${SIGN_IN_LIMIT} attempts for one email the next gets a readable 429, even with the right password`, async () => {
    t = await makeApp();
    await seedUser(t);
    const b = new Browser(t);
    for (let i = 0; i < SIGN_IN_LIMIT; i++) expect((await b.signIn("ada@example.com", `wrong-${i}-password`)).status).toBe(401);
    const res = await b.signIn("ada@example.com");
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.text()).toContain("Too many sign-in attempts");
    // Another email from the same browser is not locked out.
    await seedUser(t, "bob@example.com");
    expect((await b.signIn("bob@example.com")).status).toBe(303);
  });

  test("signing in rotates the session: a new id, the old session ended, the pre-sign-in CSRF cookie cleared", async () => {
    t = await makeApp();
    await seedUser(t);
    await seedUser(t, "bob@example.com");
    const b = new Browser(t);
    const first = await b.signIn("ada@example.com");
    const preCsrf = first.headers.getSetCookie().find((c) => c.startsWith(`${PRE_CSRF_COOKIE}=`));
    expect(preCsrf).toContain("Max-Age=0");
    const oldToken = b.jar.get(SESSION_COOKIE)!;
    // A browser that still carries a session (e.g. one planted by an attacker) signs in again.
    const token = "t".repeat(43);
    const res = await req(t.app, "/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${b.jar.header}; ${PRE_CSRF_COOKIE}=${token}` },
      body: new URLSearchParams({ csrf: token, email: "bob@example.com", password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(303);
    b.jar.store(res);
    const newToken = b.jar.get(SESSION_COOKIE)!;
    expect(newToken).not.toBe(oldToken);
    const rows = t.deps.db.$client.query("SELECT id, ended_reason FROM sessions ORDER BY created_at").all() as { id: string; ended_reason: string | null }[];
    expect(rows.map((r) => r.ended_reason)).toEqual(["replaced at sign-in", null]);
    expect(await resolveSession(t.deps, oldToken)).toBeNull();
    expect((await resolveSession(t.deps, newToken))?.user.email).toBe("bob@example.com");
  });
});

describe("sign-in limits per IP", () => {
  test("one IP trying many emails is stopped, while another IP is not", async () => {
    t = await makeApp();
    await seedUser(t);
    const signIn = new SignIn(t.deps, { perIp: 3 });
    const from = (ip: string) => new Request("http://localhost/login", { headers: { "x-forwarded-for": ip } });
    const server = null;
    t.deps.config.trustedProxy = parseTrustedProxy("1");
    for (const email of ["a@example.com", "b@example.com", "c@example.com"]) {
      await expect(signIn.authenticate(from("203.0.113.1"), server, email, "guess guess")).rejects.toThrow("Wrong email or password.");
    }
    await expect(signIn.authenticate(from("203.0.113.1"), server, "ada@example.com", PASSWORD)).rejects.toBeInstanceOf(RateLimitError);
    expect((await signIn.authenticate(from("203.0.113.2"), server, "ada@example.com", PASSWORD)).email).toBe("ada@example.com");
  });
});
