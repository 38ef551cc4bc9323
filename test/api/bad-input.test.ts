/** Client mistakes on the API and the pages get a 4xx with a readable message, never a 500. */
import { describe, expect, test } from "bun:test";
import { postForm, req } from "../helpers";
import { seededApp } from "../admin/fixtures";
import { call } from "./client";

const w = seededApp();
const P = "/projects/acme/shop";

describe("bad input", () => {
  test("malformed or mistyped API requests are 4xx in the error envelope", async () => {
    const dev = w.members.admin;
    const cases: Array<[string, string, unknown]> = [
      ["POST", `${P}/tools`, null],
      ["POST", `${P}/tools`, []],
      ["POST", `${P}/tools`, { name: "x", kind: "nope" }],
      ["PATCH", `${P}/tools/missing`, { description: "x" }],
      ["PATCH", `${P}/tools/missing`, ["x"]],
      ["PUT", `${P}/instructions`, { instructions: 5 }],
      ["PUT", `${P}/manifest`, { tools: "x" }],
      ["POST", `${P}/rollback`, {}],
      ["POST", `${P}/keys`, { name: "" }],
      ["POST", `${P}/keys`, { name: "k", expiresInDays: -1 }],
      ["PUT", `${P}/visibility`, {}],
      ["PATCH", `${P}/settings`, { storePayloads: "yes" }],
      ["POST", "/orgs/acme/projects", { slug: "Admin" }],
      ["POST", "/orgs/acme/projects", { slug: "shop" }],
      ["POST", "/orgs/acme/invites", { role: "king" }],
      ["PUT", `/orgs/acme/members/usr_nobody/role`, { role: "viewer" }],
      ["DELETE", `/orgs/acme/invites/inv_nobody`, undefined],
      ["GET", `${P}/audit?status=maybe`, undefined],
      ["GET", `${P}/audit?limit=100000`, undefined],
      ["GET", `${P}/audit?cursor=-4`, undefined],
      ["GET", `${P}/audit/export?format=xml`, undefined],
      ["GET", `${P}/versions/0`, undefined],
      ["GET", "/projects/acme/nope", undefined],
      ["GET", "/orgs/nope/members", undefined],
    ];
    for (const [method, path, body] of cases) {
      const r = await call(w.app, method, path, { as: dev, body });
      expect({ method, path, ok: r.status >= 400 && r.status < 500 }).toEqual({ method, path, ok: true });
      expect(typeof r.json?.error?.message).toBe("string");
    }
    const broken = await req(w.app, `/api/v1${P}/tools`, {
      method: "POST",
      headers: { cookie: dev.cookie, "x-csrf-token": dev.csrf, "content-type": "application/json" },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
  });

  test("mistyped page URLs and forms are readable 4xx pages", async () => {
    const o = w.members.owner;
    for (const path of ["/admin/acme/shop/publish/versions/abc", "/admin/acme/shop/audit/abc", "/admin/acme/shop/tools/nope", "/admin/nope", "/admin/acme/nope"]) {
      const res = await req(w.app, path, { headers: { cookie: o.cookie } });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const bad = await postForm(w.app, "/admin/acme/shop/rollback", { csrf: o.csrf, number: "-2" }, o.cookie);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("number:");
    const role = await postForm(w.app, `/admin/acme/settings/members/${w.members.viewer.id}/role`, { csrf: o.csrf, role: "emperor" }, o.cookie);
    expect(role.status).toBe(400);
  });
});
