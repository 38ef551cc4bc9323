import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeApp, type TestApp } from "../helpers";
import { seedOrg } from "../admin/fixtures";
import { createProject } from "../../src/projects/projects";
import { createApiKey, revokeApiKey } from "../../src/apikeys/keys";
import { call } from "./client";

let t: TestApp;
let s: Awaited<ReturnType<typeof seedOrg>>;

beforeAll(async () => {
  t = await makeApp();
  s = await seedOrg(t.deps);
}, 30_000);
afterAll(() => t.close());

describe("JSON API authentication", () => {
  test("no credentials → 401 in the API error envelope", async () => {
    const r = await call(t.app, "GET", "/projects/acme/shop");
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe("unauthenticated");
    expect(typeof r.json.error.message).toBe("string");
  });

  test("/me returns the session's CSRF token and orgs", async () => {
    const r = await call(t.app, "GET", "/me", { as: s.members.developer });
    expect(r.status).toBe(200);
    expect(r.json.csrfToken).toBe(s.members.developer.csrf);
    expect(r.json.orgs).toEqual([{ slug: "acme", name: "Acme", role: "developer" }]);
  });

  test("a session write without X-CSRF-Token, or with a wrong one, is refused", async () => {
    for (const csrf of [null, "wrong"]) {
      const r = await call(t.app, "PUT", "/projects/acme/shop/instructions", { as: s.members.developer, csrf, body: { instructions: "x" } });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe("csrf");
    }
    const ok = await call(t.app, "PUT", "/projects/acme/shop/instructions", { as: s.members.developer, body: { instructions: "Be brief." } });
    expect(ok.status).toBe(200);
    expect(ok.json.instructions).toBe("Be brief.");
  });

  test("an API key reaches its own project with its creator's role, and nothing else", async () => {
    const other = createProject(t.deps.db, s.org.id, { slug: "blog" });
    const { key } = createApiKey(t.deps, { projectId: s.project.id, userId: s.members.admin.id, name: "ci" });
    const own = await call(t.app, "GET", "/projects/acme/shop", { key });
    expect(own.status).toBe(200);
    expect(own.json.role).toBe("admin");
    expect(own.json.urls.production).toBe("http://localhost/acme/shop");
    // No CSRF header is needed with a key: it is not ambient like a cookie.
    const pub = await call(t.app, "POST", "/projects/acme/shop/publish", { key, body: {} });
    expect(pub.status).toBe(201);
    const elsewhere = await call(t.app, "GET", `/projects/acme/${other.slug}`, { key });
    expect(elsewhere.status).toBe(403);
    const org = await call(t.app, "GET", "/orgs/acme/members", { key });
    expect(org.status).toBe(403);
    const account = await call(t.app, "GET", "/account/grants", { key });
    expect(account.status).toBe(403);
  });

  test("a viewer's key cannot publish; a revoked or unknown key gets 401", async () => {
    const { id, key } = createApiKey(t.deps, { projectId: s.project.id, userId: s.members.viewer.id, name: "viewer" });
    const r = await call(t.app, "POST", "/projects/acme/shop/publish", { key, body: {} });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toContain("admin");
    revokeApiKey(t.deps, s.project.id, id, null);
    const revoked = await call(t.app, "GET", "/projects/acme/shop", { key });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.code).toBe("unauthenticated");
    expect((await call(t.app, "GET", "/projects/acme/shop", { key: "prt_nope" })).status).toBe(401);
    expect((await call(t.app, "GET", "/projects/acme/shop", { key: "not-a-key" })).status).toBe(401);
  });

  test("non-members get 404 for an org and its projects", async () => {
    expect((await call(t.app, "GET", "/projects/acme/shop", { as: s.members.outsider })).status).toBe(404);
    expect((await call(t.app, "GET", "/orgs/acme/members", { as: s.members.outsider })).status).toBe(404);
  });

  test("the OpenAPI document lists the operations; /docs renders it", async () => {
    const spec = await call(t.app, "GET", "/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.json.openapi).toStartWith("3.");
    for (const path of ["/api/v1/projects/{org}/{project}/tools", "/api/v1/orgs/{org}/grants", "/api/v1/projects/{org}/{project}/audit/export"]) {
      expect(Object.keys(spec.json.paths)).toContain(path);
    }
    const create = spec.json.paths["/api/v1/projects/{org}/{project}/keys"].post;
    expect(create.requestBody.content["application/json"].schema.properties.name).toBeDefined();
    const docs = await call(t.app, "GET", "/docs");
    expect(docs.status).toBe(200);
    expect(docs.res.headers.get("content-type")).toContain("text/html");
    expect(docs.json).toContain("/api/v1/orgs/{org}/members");
  });
});
