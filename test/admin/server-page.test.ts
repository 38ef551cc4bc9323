/** Project → Server: URLs, the public-project confirmation with its secrets warning, recent connection steps. */
import { describe, expect, test } from "bun:test";
import { recordHandshake } from "../../src/doctor/handshake";
import { createDraftTool } from "../../src/projects/draft";
import { postForm, req } from "../helpers";
import { seededApp } from "./fixtures";

const w = seededApp();

describe("server page", () => {
  test("shows both channel URLs built from the public URL", async () => {
    const body = await (await req(w.app, "/admin/acme/shop", { headers: { cookie: w.members.developer.cookie } })).text();
    expect(body).toContain('data-copy="http://localhost/acme/shop"');
    expect(body).toContain('data-copy="http://localhost/acme/shop/draft"');
    expect(body).toContain("Add custom connector");
  });

  test("making a project public is confirmed on its own page, which names the tools that use secrets", async () => {
    await createDraftTool(w.deps, w.project.id, { name: "charge", kind: "script", script: "export default () => 1", secrets: ["STRIPE_KEY"] });
    const a = w.members.admin;
    const confirm = await (await req(w.app, "/admin/acme/shop/visibility", { headers: { cookie: a.cookie } })).text();
    expect(confirm).toContain("These tools use secrets:</strong> charge");
    expect(confirm).toContain('name="visibility" value="public"');
    const res = await postForm(w.app, "/admin/acme/shop/visibility", { csrf: a.csrf, visibility: "public" }, a.cookie);
    expect(res.headers.get("location")).toBe("/admin/acme/shop?ok=public");
    const page = await (await req(w.app, "/admin/acme/shop?ok=public", { headers: { cookie: a.cookie } })).text();
    expect(page).toContain("The project is now public");
    expect(page).toContain(">Make private<");
  });

  test("recent connection steps show failures with their reason to developers, not viewers", async () => {
    await recordHandshake(w.deps.db, { projectId: w.project.id, clientId: "cli_abc", step: "token", outcome: "fail", reason: "PKCE verifier did not match" });
    const dev = await (await req(w.app, "/admin/acme/shop", { headers: { cookie: w.members.developer.cookie } })).text();
    expect(dev).toContain("exchanged the code for tokens");
    expect(dev).toContain("PKCE verifier did not match");
    const viewer = await (await req(w.app, "/admin/acme/shop", { headers: { cookie: w.members.viewer.cookie } })).text();
    expect(viewer).not.toContain("Recent connection steps");
  });
});
