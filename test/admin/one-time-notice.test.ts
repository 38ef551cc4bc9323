/** The one-time notice after a create redirect (issue 16 #7): the secret reaches its own session once, never the URL. */
import { describe, expect, test } from "bun:test";
import { postForm, req } from "../helpers";
import { seededApp } from "./fixtures";

const w = seededApp();

describe("one-time notices after POST/redirect/GET", () => {
  test("attack: another session opening the redirect's address sees no secret; the creator sees it once", async () => {
    const admin = w.members.admin;
    const res = await postForm(w.app, "/admin/acme/shop/keys", { csrf: admin.csrf, name: "once", "scope:project:read": "on" }, admin.cookie);
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toStartWith("/admin/acme/shop/keys?shown=");
    expect(location).not.toContain("prt_");
    const other = await (await req(w.app, location, { headers: { cookie: w.members.owner.cookie } })).text();
    expect(other).not.toMatch(/data-copy="prt_/);
    expect(other).not.toContain("New key");
    const first = await (await req(w.app, location, { headers: { cookie: admin.cookie } })).text();
    expect(first).toMatch(/data-copy="prt_[A-Za-z0-9_-]+"/);
    const reload = await (await req(w.app, location, { headers: { cookie: admin.cookie } })).text();
    expect(reload).not.toMatch(/data-copy="prt_/);
    expect(reload.match(/<strong>once<\/strong>/g)).toHaveLength(1);
  });
});
