import { afterEach, describe, expect, test } from "bun:test";
import { makeApp, req, type TestApp } from "../helpers";

let t: TestApp;
afterEach(() => t?.close());

describe("health", () => {
  test("healthz and readyz answer 200 on a working database", async () => {
    t = await makeApp();
    expect((await req(t.app, "/healthz")).status).toBe(200);
    expect(await (await req(t.app, "/readyz")).json()).toEqual({ status: "ready" });
  });

  test("an unknown path is a readable 404 page, not a stack trace", async () => {
    t = await makeApp();
    const res = await req(t.app, "/no/such/page/here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("Not found");
  });
});
