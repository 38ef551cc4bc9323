import { describe, expect, test } from "bun:test";
import { seededApp } from "../admin/fixtures";
import { createProject } from "../../src/projects/projects";
import { createApiKey, revokeApiKey } from "../../src/apikeys/keys";
import { call } from "./client";

const w = seededApp();

describe("JSON API authentication", () => {
  test("no credentials → 401 in the API error envelope", async () => {
    const r = await call(w.app, "GET", "/projects/acme/shop");
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe("unauthenticated");
    expect(typeof r.json.error.message).toBe("string");
  });

  test("/me returns the session's CSRF token and orgs", async () => {
    const r = await call(w.app, "GET", "/me", { as: w.members.developer });
    expect(r.status).toBe(200);
    expect(r.json.csrfToken).toBe(w.members.developer.csrf);
    expect(r.json.orgs).toEqual([{ slug: "acme", name: "Acme", role: "developer" }]);
  });

  test("a session write without X-CSRF-Token, or with a wrong one, is refused", async () => {
    for (const csrf of [null, "wrong"]) {
      const r = await call(w.app, "PUT", "/projects/acme/shop/instructions", { as: w.members.developer, csrf, body: { instructions: "x" } });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe("csrf");
    }
    const ok = await call(w.app, "PUT", "/projects/acme/shop/instructions", { as: w.members.developer, body: { instructions: "Be brief." } });
    expect(ok.status).toBe(200);
    expect(ok.json.instructions).toBe("Be brief.");
  });

  test("an API key reaches its own project with its scopes within its creator's role, and nothing else", async () => {
    const other = await createProject(w.deps.db, w.org.id, { slug: "blog" });
    // Issue 11 #2: publishing needs the key's `publish` scope (the default is MCP use only).
    const { key } = await createApiKey(w.deps, { projectId: w.project.id, userId: w.members.admin.id, name: "ci", scopes: ["project:read", "publish"] });
    const own = await call(w.app, "GET", "/projects/acme/shop", { key });
    expect(own.status).toBe(200);
    expect(own.json.role).toBe("admin");
    expect(own.json.urls.production).toBe("http://localhost/acme/shop");
    // No CSRF header is needed with a key: it is not ambient like a cookie.
    const pub = await call(w.app, "POST", "/projects/acme/shop/publish", { key, body: {} });
    expect(pub.status).toBe(201);
    const elsewhere = await call(w.app, "GET", `/projects/acme/${other.slug}`, { key });
    expect(elsewhere.status).toBe(403);
    const org = await call(w.app, "GET", "/orgs/acme/members", { key });
    expect(org.status).toBe(403);
    const account = await call(w.app, "GET", "/account/grants", { key });
    expect(account.status).toBe(403);
  });

  test("a viewer's key cannot publish; a revoked or unknown key gets 401", async () => {
    const { id, key } = await createApiKey(w.deps, { projectId: w.project.id, userId: w.members.viewer.id, name: "viewer" });
    const r = await call(w.app, "POST", "/projects/acme/shop/publish", { key, body: {} });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toContain("admin");
    await revokeApiKey(w.deps, w.project.id, id);
    const revoked = await call(w.app, "GET", "/projects/acme/shop", { key });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.code).toBe("unauthenticated");
    expect((await call(w.app, "GET", "/projects/acme/shop", { key: "prt_nope" })).status).toBe(401);
    expect((await call(w.app, "GET", "/projects/acme/shop", { key: "not-a-key" })).status).toBe(401);
  });

  test("non-members get 404 for an org and its projects", async () => {
    expect((await call(w.app, "GET", "/projects/acme/shop", { as: w.members.outsider })).status).toBe(404);
    expect((await call(w.app, "GET", "/orgs/acme/members", { as: w.members.outsider })).status).toBe(404);
  });

  test("the OpenAPI document lists the operations; /docs renders it", async () => {
    const spec = await call(w.app, "GET", "/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.json.openapi).toStartWith("3.");
    for (const path of ["/api/v1/projects/{org}/{project}/tools", "/api/v1/orgs/{org}/grants", "/api/v1/projects/{org}/{project}/audit/export"]) {
      expect(Object.keys(spec.json.paths)).toContain(path);
    }
    expect(Object.keys(spec.json.paths).every((p) => p.startsWith("/api/v1/"))).toBe(true);
    const create = spec.json.paths["/api/v1/projects/{org}/{project}/keys"].post;
    expect(create.requestBody.content["application/json"].schema.properties.name).toBeDefined();
    const docs = await call(w.app, "GET", "/docs");
    expect(docs.status).toBe(200);
    expect(docs.res.headers.get("content-type")).toContain("text/html");
    expect(docs.json).toContain("/api/v1/orgs/{org}/members");
  });
});
