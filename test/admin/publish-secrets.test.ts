/**
 * Issue 11 #1: publishing never copies secret values, so a publish while a declared secret has no
 * production value is refused, naming it, until confirmed — on the pages (a confirmation step), the API
 * (409 unless "confirm": true) and the MCP portico_publish tool. Per-channel status and roles on the API.
 */
import { describe, expect, test } from "bun:test";
import { hiddenField, postForm, req } from "../helpers";
import { listVersions } from "../../src/projects/publish";
import { call } from "../api/client";
import { seededApp } from "./fixtures";

const w = seededApp();
const P = "/projects/acme/shop";
const tool = (name: string) => ({ name, kind: "script", description: "Uses a token", script: "export default () => 1", secrets: ["TOKEN"] });

describe("publishing while production secret values are missing", () => {
  test("API: 409 naming the missing values unless confirm; admins set production values, developers draft ones", async () => {
    const { admin, developer: dev } = w.members;
    expect((await call(w.app, "POST", `${P}/tools`, { as: dev, body: tool("paid") })).status).toBe(201);
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/TOKEN`, { as: dev, body: { value: "draft-1234", channel: "draft" } })).status).toBe(204);

    const refused = await call(w.app, "POST", `${P}/publish`, { as: admin, body: { note: "first" } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain("Production values are missing for paid.TOKEN");
    expect(refused.json.error.details).toEqual({ missing: [{ tool: "paid", name: "TOKEN" }] });
    expect(await listVersions(w.deps, w.project.id)).toHaveLength(0);

    expect((await call(w.app, "POST", `${P}/publish`, { as: admin, body: { note: "first", confirm: true } })).status).toBe(201);
    expect(await w.deps.tools.secrets.loadSecrets(w.project.id, "paid", "production")).toEqual({});

    // An admin fills in production (the published tool declares it); then a publish needs no confirmation.
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/TOKEN`, { as: admin, body: { value: "prod-5678", channel: "production" } })).status).toBe(204);
    const status = await call(w.app, "GET", `${P}/tools/paid/secrets`, { as: dev });
    expect(status.json).toEqual({ declared: ["TOKEN"], draft: { set: ["TOKEN"], missing: [] }, production: { set: ["TOKEN"], missing: [] } });
    // A publish needs a change since the version production serves (issue 16 #5).
    expect((await call(w.app, "PATCH", `${P}/tools/paid`, { as: dev, body: { description: "Paid, v2" } })).status).toBe(200);
    expect((await call(w.app, "POST", `${P}/publish`, { as: admin, body: {} })).status).toBe(201);
    expect(JSON.stringify(status.json)).not.toContain("prod-5678");

    const events = await call(w.app, "GET", "/orgs/acme/audit?action=secret.set", { as: admin });
    expect(events.status).toBe(200);
    expect(JSON.stringify(events.json)).toContain('"secret.set"');
    expect(JSON.stringify(events.json)).not.toContain("prod-5678");
    // An unknown channel is a 400, not a guess.
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/TOKEN`, { as: admin, body: { value: "x-1234", channel: "staging" } })).status).toBe(400);
  });

  test("pages: the publish page warns, and a publish stops at a confirmation step with a way back", async () => {
    const { admin, developer: dev } = w.members;
    expect((await call(w.app, "POST", `${P}/tools`, { as: dev, body: tool("charge") })).status).toBe(201);
    const page = await (await req(w.app, "/admin/acme/shop/publish", { headers: { cookie: admin.cookie } })).text();
    expect(page).toContain("Production values are missing:</strong> charge.TOKEN");

    const before = (await listVersions(w.deps, w.project.id)).length;
    const confirm = await postForm(w.app, "/admin/acme/shop/publish", { csrf: admin.csrf, note: "with charge" }, admin.cookie);
    expect(confirm.status).toBe(409);
    const html = await confirm.text();
    expect(html).toContain("Publish anyway");
    expect(html).toContain('href="/admin/acme/shop/publish"');
    expect(hiddenField(html, "confirm")).toBe("yes");
    expect(hiddenField(html, "note")).toBe("with charge");
    expect(await listVersions(w.deps, w.project.id)).toHaveLength(before);

    const done = await postForm(w.app, "/admin/acme/shop/publish", { csrf: admin.csrf, note: "with charge", confirm: "yes" }, admin.cookie);
    expect(done.status).toBe(303);
    expect((await listVersions(w.deps, w.project.id))[0]!.note).toBe("with charge");
  });

  test("the tool editor gives admins a production value field", async () => {
    const { admin } = w.members;
    const page = await (await req(w.app, "/admin/acme/shop/tools/charge", { headers: { cookie: admin.cookie } })).text();
    expect(page).toContain('name="secret.production.TOKEN"');
    expect(page).toContain('name="secret.draft.TOKEN"');
  });
});
