import { afterEach, describe, expect, test } from "bun:test";
import { makeApp, req, type TestApp } from "../helpers";
import { updateProject } from "../../src/projects/projects";
import { seedWorld } from "./fixtures";

let t: TestApp;
afterEach(() => t?.close());

describe("discovery metadata", () => {
  test("protected resource metadata names the exact channel URL and Portico as its authorization server", async () => {
    t = await makeApp();
    await seedWorld(t.deps);
    const res = await req(t.app, "/.well-known/oauth-protected-resource/acme/shop");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const doc = await res.json();
    expect(doc.resource).toBe("http://localhost/acme/shop");
    expect(doc.authorization_servers).toEqual(["http://localhost"]);
    expect(doc.bearer_methods_supported).toEqual(["header"]);
    expect(doc.scopes_supported).not.toContain("draft");
    const draft = await (await req(t.app, "/.well-known/oauth-protected-resource/acme/shop/draft")).json();
    expect(draft.resource).toBe("http://localhost/acme/shop/draft");
    expect(draft.scopes_supported).toContain("draft");
  });

  test("an unknown project and a public project's production channel have no resource metadata", async () => {
    t = await makeApp();
    const w = await seedWorld(t.deps);
    expect((await req(t.app, "/.well-known/oauth-protected-resource/acme/nope")).status).toBe(404);
    await updateProject(t.deps.db, w.shop.id, { visibility: "public" });
    expect((await req(t.app, "/.well-known/oauth-protected-resource/acme/shop")).status).toBe(404);
    expect((await req(t.app, "/.well-known/oauth-protected-resource/acme/shop/draft")).status).toBe(200);
  });

  test("authorization server metadata advertises S256 only, CIMD, RFC 9207 iss and all three auth methods", async () => {
    t = await makeApp();
    const doc = await (await req(t.app, "/.well-known/oauth-authorization-server")).json();
    expect(doc.issuer).toBe("http://localhost");
    expect(doc.code_challenge_methods_supported).toEqual(["S256"]);
    expect(doc.client_id_metadata_document_supported).toBe(true);
    expect(doc.authorization_response_iss_parameter_supported).toBe(true);
    expect(doc.token_endpoint_auth_methods_supported).toEqual(["none", "client_secret_post", "client_secret_basic"]);
    expect(doc.registration_endpoint).toBe("http://localhost/oauth/register");
    expect(doc.revocation_endpoint).toBe("http://localhost/oauth/revoke");
    expect(doc.jwks_uri).toBe("http://localhost/oauth/jwks");
    expect(doc.grant_types_supported).toEqual(["authorization_code", "refresh_token"]);
    const legacy = await (await req(t.app, "/.well-known/oauth-authorization-server/acme/shop/draft")).json();
    expect(legacy).toEqual(doc);
  });

  test("the JWKS publishes one EdDSA public key created at first start, without private parts", async () => {
    t = await makeApp();
    const jwks = await (await req(t.app, "/oauth/jwks")).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  test("CORS headers on the documents and on register/token answers, errors included", async () => {
    t = await makeApp();
    const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const answers = [
      await req(t.app, "/.well-known/oauth-authorization-server"),
      await req(t.app, "/.well-known/oauth-protected-resource/acme/nope"),
      await req(t.app, "/oauth/register", json({ redirect_uris: ["http://127.0.0.1:9/cb"], token_endpoint_auth_method: "none" })),
      await req(t.app, "/oauth/register", json({ redirect_uris: ["http://evil.example/cb"] })),
      await req(t.app, "/oauth/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=authorization_code&client_id=cli_unknown" }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 201, 400, 401]);
    for (const res of answers) {
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
    }
  });

  test("CORS preflights on well-known documents and OAuth endpoints are answered", async () => {
    t = await makeApp();
    for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource/acme/shop", "/oauth/token", "/oauth/register"]) {
      const res = await req(t.app, path, { method: "OPTIONS", headers: { origin: "http://localhost:6274", "access-control-request-method": "POST" } });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-headers")).toContain("Authorization");
    }
  });
});
