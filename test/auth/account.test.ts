import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { SESSION_COOKIE } from "../../src/auth/cookies";
import { createPasswordReset } from "../../src/auth/password-resets";
import { resolveSession } from "../../src/auth/sessions";
import { grants, oauthClients } from "../../src/db/schema";
import { createProject } from "../../src/projects/projects";
import { makeApp, type TestApp } from "../helpers";
import { Browser, PASSWORD, seedUser } from "./flow";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let t: TestApp;
afterEach(() => t?.close());

const live = async (b: Browser) => (await resolveSession(t.deps, b.jar.get(SESSION_COOKIE)));

/** Records that `b`'s session authorized an app, as the OAuth consent does. */
async function connectApp(b: Browser, orgId: string, name: string) {
  const s = (await live(b))!;
  const project = await createProject(t.deps.db, orgId, { slug: "shop", name: "Shop window" });
  t.deps.db.insert(oauthClients).values({ id: "cli_1", registration: "dcr", name, redirectUris: ["https://app.example/cb"], tokenEndpointAuthMethod: "none", grantTypes: ["authorization_code"], metadata: {}, createdAt: Date.now() }).run();
  t.deps.db.insert(grants).values({ id: "grt_1", userId: s.user.id, orgId, projectId: project.id, channel: "production", resource: "http://localhost/acme/shop", clientId: "cli_1", scopes: "tools:call", sessionId: s.session.id, createdAt: Date.now() }).run();
}

describe("sign-out", () => {
  test("the sign-out page names the apps it disconnects; posting it ends the session", async () => {
    t = await makeApp();
    const { org } = await seedUser(t, "ada@example.com", "acme");
    const b = new Browser(t);
    await b.signIn("ada@example.com");
    await connectApp(b, org!.id, "Claude");
    const page = await (await b.get("/logout")).text();
    expect(page).toContain("Claude");
    expect(page).toContain("Shop window");
    const res = await b.submit("/logout", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?notice=signed-out");
    expect(b.jar.get(SESSION_COOKIE)).toBeUndefined();
    expect((await b.get("/account")).headers.get("location")).toBe("/login?return_to=%2Faccount");
  });

  test("a sign-out post without the session's CSRF token is refused and the session lives on", async () => {
    t = await makeApp();
    await seedUser(t);
    const b = new Browser(t);
    await b.signIn("ada@example.com");
    expect((await b.post("/logout", { csrf: "forged" })).status).toBe(403);
    expect(await live(b)).not.toBeNull();
  });
});

describe("account", () => {
  test("changing the password ends every other session and keeps this browser signed in", async () => {
    t = await makeApp();
    await seedUser(t);
    const here = new Browser(t);
    const there = new Browser(t, "203.0.113.9");
    await here.signIn("ada@example.com");
    await there.signIn("ada@example.com");
    const before = (await live(here))!.session.id;
    const res = await here.submit("/account", { current: PASSWORD, password: "a brand new password" }, "/account/password");
    expect(res.headers.get("location")).toBe("/account?notice=password-changed");
    expect(await live(there)).toBeNull();
    expect((await live(here))!.session.id).not.toBe(before);
    expect((await new Browser(t).signIn("ada@example.com", "a brand new password")).status).toBe(303);
  });

  test("a wrong current password or a short new one is explained and changes nothing", async () => {
    t = await makeApp();
    await seedUser(t);
    const b = new Browser(t);
    await b.signIn("ada@example.com");
    const wrong = await b.submit("/account", { current: "nope nope nope", password: "a brand new password" }, "/account/password");
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("current password is wrong");
    const short = await b.submit("/account", { current: PASSWORD, password: "short" }, "/account/password");
    expect(await short.text()).toContain("at least 10 characters");
    expect((await new Browser(t).signIn("ada@example.com")).status).toBe(303);
  });

  test("the account page lists own sessions; one can be revoked, then all", async () => {
    t = await makeApp();
    await seedUser(t);
    const here = new Browser(t);
    const there = new Browser(t);
    await here.signIn("ada@example.com");
    await there.signIn("ada@example.com");
    const page = await (await here.get("/account")).text();
    expect(page).toContain("this browser");
    const otherId = (await live(there))!.session.id;
    expect(page).toContain(`/account/sessions/${otherId}/revoke`);
    const res = await here.submit("/account", {}, `/account/sessions/${otherId}/revoke`);
    expect(res.headers.get("location")).toBe("/account?notice=session-revoked");
    expect(await live(there)).toBeNull();
    await there.signIn("ada@example.com");
    const all = await here.submit("/account", {}, "/account/sign-out-everywhere");
    expect(all.headers.get("location")).toBe("/login?notice=signed-out");
    expect(await live(here)).toBeNull();
    expect(await live(there)).toBeNull();
  });

  test("every account form refuses a post without the CSRF token", async () => {
    t = await makeApp();
    await seedUser(t);
    const b = new Browser(t);
    await b.signIn("ada@example.com");
    const id = (await live(b))!.session.id;
    for (const path of ["/account/password", `/account/sessions/${id}/revoke`, "/account/sign-out-everywhere"]) {
      expect((await b.post(path, { current: PASSWORD, password: "a brand new password" })).status).toBe(403);
    }
    expect((await live(b))!.session.id).toBe(id);
  });
});

describe("password reset links", () => {
  test("a reset link sets a new password once, ends old sessions and signs in", async () => {
    t = await makeApp();
    const { user } = await seedUser(t);
    const old = new Browser(t);
    await old.signIn("ada@example.com");
    const { url } = await createPasswordReset(t.deps, { userId: user.id });
    const path = new URL(url).pathname;
    const b = new Browser(t);
    expect(await (await b.get(path)).text()).toContain("ada@example.com");
    const differ = await b.submit(path, { password: "a brand new password", confirm: "something else" });
    expect(await differ.text()).toContain("The two passwords differ.");
    const res = await b.submit(path, { password: "a brand new password", confirm: "a brand new password" });
    expect(res.status).toBe(303);
    expect((await live(b))?.user.id).toBe(user.id);
    expect(await live(old)).toBeNull();
    expect((await new Browser(t).get(path)).status).toBe(404);
  });

  test("a reset post without CSRF is refused and the link stays usable", async () => {
    t = await makeApp();
    const { user } = await seedUser(t);
    const path = new URL((await createPasswordReset(t.deps, { userId: user.id })).url).pathname;
    const b = new Browser(t);
    await b.get(path);
    expect((await b.post(path, { password: "a brand new password", confirm: "a brand new password" })).status).toBe(403);
    expect((await b.get(path)).status).toBe(200);
  });
});
