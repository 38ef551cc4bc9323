/**
 * Every state-changing settings form is refused without the session's CSRF token, and every action is
 * refused (403 page) for a role below the one it needs; reading pages follows the same policy.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Role } from "../../src/db/schema";
import { createInvite } from "../../src/auth/invites";
import { createGrant } from "../../src/oauth/grants";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { makeApp, postForm, req, type TestApp } from "../helpers";
import { seedWorld, type SignedInWorld } from "../fixtures/world";

let t: TestApp;
let s: SignedInWorld;
let actions: Array<{ path: string; min: Role; fields: Record<string, string> }>;

const TOOL = { kind: "script", name: "echo", inputSchema: '{"type":"object"}', script: "export default (i) => i" };

beforeAll(async () => {
  t = await makeApp();
  s = await seedWorld(t.deps);
  await createDraftTool(t.deps, s.project.id, { name: "echo", kind: "script", script: "export default (i) => i" });
  await publish(t.deps, s.project.id, s.members.owner.id);
  const key = await s.apiKey("owner", { name: "k" });
  const invite = await createInvite(t.deps, { orgId: s.org.id, role: "viewer", createdBy: s.members.owner.id });
  const grant = await createGrant(t.deps.db, {
      userId: s.members.viewer.id, orgId: s.org.id, projectId: s.project.id, channel: "production", resource: "http://localhost/acme/shop",
      clientId: "client-x", scopes: "project:read tools:call", sessionId: s.members.viewer.sessionId,
    });
  actions = [
    { path: "/admin/acme/new", min: "admin", fields: { slug: "blog" } },
    { path: "/admin/acme/shop/visibility", min: "admin", fields: { visibility: "public" } },
    { path: "/admin/acme/shop/settings", min: "admin", fields: { name: "Renamed", auditRetentionDays: "30" } },
    { path: "/admin/acme/shop/tools/new", min: "developer", fields: { ...TOOL, name: "other" } },
    { path: "/admin/acme/shop/tools/echo", min: "developer", fields: { ...TOOL, description: "changed" } },
    { path: "/admin/acme/shop/tools/echo/delete", min: "developer", fields: {} },
    { path: "/admin/acme/shop/prompts/new", min: "developer", fields: { name: "p", template: "t" } },
    { path: "/admin/acme/shop/prompts/p/delete", min: "developer", fields: {} },
    { path: "/admin/acme/shop/instructions", min: "developer", fields: { instructions: "x" } },
    { path: "/admin/acme/shop/manifest", min: "developer", fields: { manifest: '{"tools":[]}' } },
    { path: "/admin/acme/shop/publish", min: "admin", fields: {} },
    { path: "/admin/acme/shop/rollback", min: "admin", fields: { number: "1" } },
    { path: "/admin/acme/shop/keys", min: "admin", fields: { name: "n" } },
    { path: `/admin/acme/shop/keys/${key.id}/revoke`, min: "admin", fields: {} },
    { path: "/admin/acme/settings/members/invite", min: "admin", fields: { role: "viewer" } },
    { path: `/admin/acme/settings/members/invites/${invite.id}/revoke`, min: "admin", fields: {} },
    { path: `/admin/acme/settings/members/${s.members.developer.id}/sessions/end`, min: "admin", fields: {} },
    { path: `/admin/acme/settings/members/${s.members.viewer.id}/role`, min: "admin", fields: { role: "developer" } },
    { path: `/admin/acme/settings/members/${s.members.viewer.id}/remove`, min: "admin", fields: {} },
    { path: `/admin/acme/settings/apps/${grant.id}/revoke`, min: "admin", fields: {} },
  ];
}, 30_000);
afterAll(() => t.close());

const BELOW: Record<Role, Role[]> = { viewer: [], developer: ["viewer"], admin: ["viewer", "developer"], owner: ["viewer", "developer", "admin"] };

describe("settings page gates", () => {
  test("every POST without a valid CSRF token is refused with 403 and changes nothing", async () => {
    const before = t.deps.db.$client.query("SELECT count(*) AS n FROM org_audit_events").get();
    for (const a of actions) {
      for (const csrf of [undefined, "forged"]) {
        const fields = csrf ? { ...a.fields, csrf } : a.fields;
        const res = await postForm(t.app, a.path, fields, s.members.owner.cookie);
        expect({ path: a.path, status: res.status }).toEqual({ path: a.path, status: 403 });
        expect(await res.text()).toContain("This form expired");
      }
    }
    const grantRevoke = await postForm(t.app, "/account/apps/whatever/revoke", {}, s.members.viewer.cookie);
    expect(grantRevoke.status).toBe(403);
    expect(t.deps.db.$client.query("SELECT count(*) AS n FROM org_audit_events").get()).toEqual(before);
  });

  test("every action is refused with a 403 page for roles below the one it needs", async () => {
    for (const a of actions) {
      for (const role of BELOW[a.min]) {
        const m = s.members[role];
        const res = await postForm(t.app, a.path, { ...a.fields, csrf: m.csrf }, m.cookie);
        expect({ path: a.path, role, status: res.status }).toEqual({ path: a.path, role, status: 403 });
        expect(await res.text()).toContain("Not allowed");
      }
    }
  });

  test("non-members get 404 and anonymous visitors are sent to sign in", async () => {
    const outsider = await postForm(t.app, "/admin/acme/shop/publish", { csrf: s.members.outsider.csrf }, s.members.outsider.cookie);
    expect(outsider.status).toBe(404);
    const anon = await req(t.app, "/admin/acme/shop/tools");
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe("/login?return_to=%2Fadmin%2Facme%2Fshop%2Ftools");
  });

  test("viewers read project pages without edit controls; admin-only pages answer 403", async () => {
    const v = s.members.viewer.cookie;
    for (const path of ["/admin/acme/shop", "/admin/acme/shop/tools", "/admin/acme/shop/tools/echo", "/admin/acme/shop/publish", "/admin/acme/shop/keys", "/admin/acme/settings/members"]) {
      const res = await req(t.app, path, { headers: { cookie: v } });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const body = await res.text();
      expect(body).not.toContain('type="submit">Save draft');
      expect(body).not.toContain(">Publish to production<");
      expect(body).not.toContain(">Create key<");
      expect(body).not.toContain(">Create invite link<");
      expect(body).not.toContain('href="/admin/acme/shop/audit"');
      expect(body).not.toContain('href="/admin/acme/settings/apps"');
    }
    for (const path of ["/admin/acme/settings/apps", "/admin/acme/settings/audit", "/admin/acme/shop/audit", "/admin/acme/shop/visibility"]) {
      const res = await req(t.app, path, { headers: { cookie: v } });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
  });

  test("only an owner can give, change or take away the owner role", async () => {
    const a = s.members.admin;
    const invite = await postForm(t.app, "/admin/acme/settings/members/invite", { role: "owner", csrf: a.csrf }, a.cookie);
    expect(invite.status).toBe(403);
    const demote = await postForm(t.app, `/admin/acme/settings/members/${s.members.owner.id}/role`, { role: "viewer", csrf: a.csrf }, a.cookie);
    expect(demote.status).toBe(403);
    const remove = await postForm(t.app, `/admin/acme/settings/members/${s.members.owner.id}/remove`, { csrf: a.csrf }, a.cookie);
    expect(remove.status).toBe(403);
    const o = s.members.owner;
    const last = await postForm(t.app, `/admin/acme/settings/members/${o.id}/role`, { role: "admin", csrf: o.csrf }, o.cookie);
    expect(last.status).toBe(403);
    expect(await last.text()).toContain("at least one owner");
  });
});
