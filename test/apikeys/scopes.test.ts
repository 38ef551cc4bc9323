/** API key scopes (issue 11 #2), positive behaviour: creation through the page and the API, labels, role bounds. */
import { describe, expect, test } from "bun:test";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";
import { postForm, req } from "../helpers";
import { createApiKey, listApiKeys } from "../../src/apikeys/keys";
import { setRole } from "../../src/projects/orgs";

const w = seededApp();
const P = "/projects/acme/shop";

describe("API key scopes", () => {
  test("the page creates a key with the ticked scopes and labels management keys in the list", async () => {
    const admin = w.members.admin;
    const form = await (await req(w.app, "/admin/acme/shop/keys", { headers: { cookie: admin.cookie } })).text();
    expect(form).toContain('name="scope:settings"');
    expect(form).toMatch(/name="scope:project:read" checked/);
    const res = await postForm(w.app, "/admin/acme/shop/keys", { csrf: admin.csrf, name: "deployer", "scope:project:read": "on", "scope:publish": "on" }, admin.cookie);
    expect(res.status).toBe(303);
    await postForm(w.app, "/admin/acme/shop/keys", { csrf: admin.csrf, name: "host", "scope:project:read": "on", "scope:tools:call": "on" }, admin.cookie);
    const keys = await listApiKeys(w.deps, w.project.id);
    expect(keys.find((k) => k.name === "deployer")!.scopes).toEqual(["project:read", "publish"]);
    const list = await (await req(w.app, "/admin/acme/shop/keys", { headers: { cookie: admin.cookie } })).text();
    const row = (name: string) => list.slice(list.indexOf(`<strong>${name}</strong>`), list.indexOf("</tr>", list.indexOf(`<strong>${name}</strong>`)));
    expect(row("deployer")).toContain(">management<");
    expect(row("host")).not.toContain(">management<");
    const none = await postForm(w.app, "/admin/acme/shop/keys", { csrf: admin.csrf, name: "empty" }, admin.cookie);
    expect(none.status).toBe(400);
  });

  test("the API refuses scopes beyond the creator's role or the issuing key with a clear error", async () => {
    const settingsKey = (await createApiKey(w.deps, { projectId: w.project.id, userId: w.members.admin.id, name: "keys", scopes: ["project:read", "settings"] })).key;
    // The default (project:read tools:call) is broader than this key, so it must ask for less.
    expect((await call(w.app, "POST", `${P}/keys`, { key: settingsKey, body: { name: "plain" } })).status).toBe(403);
    const plain = await call(w.app, "POST", `${P}/keys`, { key: settingsKey, body: { name: "plain", scopes: "project:read" } });
    expect(plain.status).toBe(201);
    expect((await listApiKeys(w.deps, w.project.id)).find((k) => k.id === plain.json.id)!.scopes).toEqual(["project:read"]);
    const dev = await call(w.app, "POST", `${P}/keys`, { as: w.members.admin, body: { name: "dev", scopes: ["draft", "project:write", "bogus"] } });
    expect(dev.status).toBe(400);
    await expect(createApiKey(w.deps, { projectId: w.project.id, userId: w.members.developer.id, name: "x", scopes: ["publish"] })).rejects.toThrow(/does not allow "publish"/);
  });

  test("a key's scopes shrink with its creator's role and come back with it (re-checked every request)", async () => {
    const { key } = await createApiKey(w.deps, { projectId: w.project.id, userId: w.members.developer.id, name: "drafter", scopes: ["project:read", "draft", "project:write"] });
    expect((await call(w.app, "GET", `${P}/manifest`, { key })).status).toBe(200);
    await setRole(w.deps.db, w.org.id, w.members.developer.id, "viewer");
    expect((await call(w.app, "PUT", `${P}/instructions`, { key, body: { instructions: "x" } })).status).toBe(403);
    await setRole(w.deps.db, w.org.id, w.members.developer.id, "developer");
    expect((await call(w.app, "PUT", `${P}/instructions`, { key, body: { instructions: "x" } })).status).toBe(200);
  });
});
