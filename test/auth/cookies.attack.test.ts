import { afterEach, describe, expect, test } from "bun:test";
import { makeApp, req, type TestApp } from "../helpers";
import { seedUser } from "./flow";

let t: TestApp;
afterEach(() => t?.close());

// Issue 11 #17: a cookie value that does not URL-decode made readCookie throw, so a planted cookie locked
// that browser out of every page with a 500. It is treated as an absent cookie.
describe("cookies that do not URL-decode", () => {
  test("attack: a planted undecodable session or CSRF cookie cannot lock a browser out (no 500 on any page)", async () => {
    t = await makeApp();
    await seedUser(t);
    for (const cookie of ["portico_session=%ZZ", "portico_csrf=%E0%A4%A", "portico_session=%ZZ; portico_csrf=%E0%A4%A"]) {
      for (const path of ["/", "/admin", "/account", "/login", "/logout", "/api/v1/me"]) {
        const res = await req(t.app, path, { headers: { cookie } });
        expect({ path, cookie, status: res.status }).toEqual({ path, cookie, status: expect.any(Number) });
        expect(res.status).toBeLessThan(500);
      }
    }
    const login = await req(t.app, "/login", { headers: { cookie: "portico_csrf=%E0%A4%A" } });
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("password");
  });
});
