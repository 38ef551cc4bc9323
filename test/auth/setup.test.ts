import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { SESSION_COOKIE } from "../../src/auth/cookies";
import { issueSetupLink } from "../../src/auth/setup-link";
import { createUser } from "../../src/auth/users";
import { findOrg, roleOf } from "../../src/projects/orgs";
import { CookieJar, hiddenField, makeApp, startTestServer, type TestApp } from "../helpers";
import { Browser, PASSWORD } from "./flow";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let t: TestApp;
afterEach(() => t?.close());

const pathOf = (url: string) => url.slice(url.indexOf("/setup"));
const owner = { name: "Olive", email: "olive@example.com", password: PASSWORD, org_name: "Acme Corp", org_slug: "" };

describe("first-run setup", () => {
  test("with no user, / leads to /setup; the link creates the owner and first org, signs in, then is dead", async () => {
    t = await makeApp();
    expect((await new Browser(t).get("/")).headers.get("location")).toBe("/setup");
    const link = (await issueSetupLink(t.deps.db, t.deps.config.publicUrl))!;
    expect(link).toStartWith("http://localhost/setup?token=");
    const b = new Browser(t);
    const res = await b.submit(pathOf(link), { ...owner, token: new URL(link).searchParams.get("token")! }, "/setup");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    expect(b.jar.get(SESSION_COOKIE)).toBeTruthy();
    const org = (await findOrg(t.deps.db, "acme-corp"))!;
    const user = t.deps.db.$client.query("SELECT id FROM users WHERE email = ?").get("olive@example.com") as { id: string };
    expect(await roleOf(t.deps.db, org.id, user.id)).toBe("owner");
    expect((await b.get("/")).headers.get("location")).toBe("/admin");
    // The same link again, in another browser: refused.
    const again = await new Browser(t).get(pathOf(link));
    expect(again.status).toBe(410);
    expect(await issueSetupLink(t.deps.db, t.deps.config.publicUrl)).toBeNull();
  });

  test("a wrong token is refused and a reserved or bad slug is explained without losing the link", async () => {
    t = await makeApp();
    const link = (await issueSetupLink(t.deps.db, t.deps.config.publicUrl))!;
    const token = new URL(link).searchParams.get("token")!;
    expect((await new Browser(t).get("/setup?token=" + "x".repeat(43))).status).toBe(404);
    const b = new Browser(t);
    const reserved = await b.submit(pathOf(link), { ...owner, token, org_slug: "admin" }, "/setup");
    expect(reserved.status).toBe(400);
    expect(await reserved.text()).toContain("reserved by Portico");
    const short = await b.submit(pathOf(link), { ...owner, token, password: "short" }, "/setup");
    expect(await short.text()).toContain("at least 10 characters");
    const ok = await b.submit(pathOf(link), { ...owner, token, org_slug: "acme" }, "/setup");
    expect(ok.status).toBe(303);
  });

  test("a user created another way (the CLI) kills the link", async () => {
    t = await makeApp();
    const link = (await issueSetupLink(t.deps.db, t.deps.config.publicUrl))!;
    await createUser(t.deps.db, { email: "cli@example.com", password: PASSWORD });
    expect((await new Browser(t).get(pathOf(link))).status).toBe(410);
  });

  test("the setup form refuses a post without its CSRF token", async () => {
    t = await makeApp();
    const link = (await issueSetupLink(t.deps.db, t.deps.config.publicUrl))!;
    const b = new Browser(t);
    const res = await b.post("/setup", { ...owner, token: new URL(link).searchParams.get("token")! });
    expect(res.status).toBe(403);
    expect(t.deps.db.$client.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 0 });
  });

  test("a real server on a fresh data dir hands out a working setup link, usable once", async () => {
    const server = await startTestServer({ logLevel: "info" });
    try {
      expect(server.setupUrl).toStartWith(`${server.url}/setup?token=`);
      expect(server.logs.text).not.toContain(new URL(server.setupUrl!).searchParams.get("token")!);
      const jar = new CookieJar();
      const form = jar.store(await fetch(server.setupUrl!));
      const csrf = hiddenField(await form.text(), "csrf")!;
      const body = new URLSearchParams({ ...owner, csrf, token: new URL(server.setupUrl!).searchParams.get("token")! });
      const post = (cookie: string) =>
        fetch(`${server.url}/setup`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body });
      expect((await post(jar.header)).status).toBe(303);
      expect((await post(jar.header)).status).toBe(410);
    } finally {
      await server.stop();
    }
  });
});
