/** Org and account operations through the JSON API: members, invites, authorized apps, org audit, own grants. */
import { describe, expect, test } from "bun:test";
import { seededApp, signIn } from "../admin/fixtures";
import { acceptInvite } from "../../src/auth/invites";
import { createGrant, getGrant } from "../../src/oauth/grants";
import { grantProblem, loadGrantState } from "../../src/oauth/grant-check";
import { addMember } from "../../src/projects/orgs";
import { call } from "./client";

const w = seededApp();

async function grantFor(member: { id: string; sessionId: string }, channel: "production" | "draft" = "production") {
  return await createGrant(w.deps.db, {
      userId: member.id, orgId: w.org.id, projectId: w.project.id, channel, resource: `http://localhost/acme/shop${channel === "draft" ? "/draft" : ""}`,
      clientId: "https://claude.ai/oauth/mcp-oauth-client-metadata", scopes: "project:read tools:call", sessionId: member.sessionId,
    });
}

describe("org settings through the API", () => {
  test("invite → accept → change role → remove revokes the member's grants at once", async () => {
    const admin = w.members.admin;
    expect((await call(w.app, "POST", "/orgs/acme/invites", { as: w.members.developer, body: { role: "viewer" } })).status).toBe(403);
    const invite = await call(w.app, "POST", "/orgs/acme/invites", { as: admin, body: { role: "viewer", email: "new@acme.test" } });
    expect(invite.status).toBe(201);
    expect(invite.json.url).toStartWith("http://localhost/invite/");
    const listed = await call(w.app, "GET", "/orgs/acme/members", { as: admin });
    expect(listed.json.invites.map((i: { email: string }) => i.email)).toEqual(["new@acme.test"]);
    expect(JSON.stringify(listed.json)).not.toContain(invite.json.url.split("/").pop());
    const newcomer = await signIn(w.deps, "new@acme.test");
    await acceptInvite(w.deps.db, { token: invite.json.url.split("/").pop(), userId: newcomer.id, email: newcomer.email });
    const promoted = await call(w.app, "PUT", `/orgs/acme/members/${newcomer.id}/role`, { as: admin, body: { role: "developer" } });
    expect(promoted.json).toEqual({ from: "viewer", to: "developer" });
    const grant = await grantFor(newcomer);
    const removed = await call(w.app, "DELETE", `/orgs/acme/members/${newcomer.id}`, { as: admin });
    expect(removed.status).toBe(204);
    expect((await getGrant(w.deps.db, grant.id))!.revokedAt).toBeNumber();
    const events = await call(w.app, "GET", "/orgs/acme/audit", { as: admin });
    const actions = events.json.events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["invite.created", "member.joined", "member.role", "grant.revoked", "member.removed"]));
    expect((await call(w.app, "GET", "/orgs/acme/audit", { as: w.members.developer })).status).toBe(403);
  });

  test("authorized apps: admins list every live grant with filters and revoke one", async () => {
    const g1 = await grantFor(w.members.viewer);
    const g2 = await grantFor(w.members.developer, "draft");
    expect((await call(w.app, "GET", "/orgs/acme/grants", { as: w.members.developer })).status).toBe(403);
    const all = await call(w.app, "GET", "/orgs/acme/grants", { as: w.members.admin });
    expect(all.json.grants.map((g: { id: string }) => g.id).sort()).toEqual([g1.id, g2.id].sort());
    expect(all.json.grants.find((g: { id: string }) => g.id === g1.id)).toMatchObject({ userEmail: "viewer@acme.test", projectName: "Shop", channel: "production" });
    const drafts = await call(w.app, "GET", "/orgs/acme/grants?channel=draft", { as: w.members.admin });
    expect(drafts.json.grants.map((g: { id: string }) => g.id)).toEqual([g2.id]);
    const byUser = await call(w.app, "GET", `/orgs/acme/grants?user=${w.members.viewer.id}`, { as: w.members.admin });
    expect(byUser.json.grants.map((g: { id: string }) => g.id)).toEqual([g1.id]);
    expect((await call(w.app, "DELETE", `/orgs/acme/grants/${g1.id}`, { as: w.members.admin })).status).toBe(204);
    expect((await getGrant(w.deps.db, g1.id))!.revokedReason).toBe("revoked by an admin");
    expect((await call(w.app, "DELETE", "/orgs/acme/grants/gnt_unknown", { as: w.members.admin })).status).toBe(404);
  });

  test("account: own grants only, revocable; sign out everywhere ends the sessions", async () => {
    const me = await signIn(w.deps, "me@acme.test");
    await addMember(w.deps.db, w.org.id, me.id, "viewer");
    const mine = await grantFor(me);
    const theirs = await grantFor(w.members.owner);
    const list = await call(w.app, "GET", "/account/grants", { as: me });
    expect(list.json.grants.map((g: { id: string }) => g.id)).toEqual([mine.id]);
    expect((await call(w.app, "DELETE", `/account/grants/${theirs.id}`, { as: me })).status).toBe(404);
    expect((await call(w.app, "DELETE", `/account/grants/${mine.id}`, { as: me })).status).toBe(204);
    const out = await call(w.app, "POST", "/account/sign-out-everywhere", { as: me });
    expect(out.json.sessionsEnded).toBe(1);
    expect((await call(w.app, "GET", "/account/grants", { as: me })).status).toBe(401);
  });
});

describe("admin ends a member's access to the org", () => {
  test("the member's grants in this org stop working at once; their browser session survives", async () => {
    const member = await signIn(w.deps, "signed-out@acme.test");
    await addMember(w.deps.db, w.org.id, member.id, "developer");
    const grant = await grantFor(member);
    expect(grantProblem(await loadGrantState(w.deps, grant.id), w.deps.config.sessionIdleTtl)).toBeNull();
    expect((await call(w.app, "POST", `/orgs/acme/members/${member.id}/sessions/end`, { as: w.members.developer })).status).toBe(403);
    expect((await call(w.app, "POST", `/orgs/acme/members/${w.members.owner.id}/sessions/end`, { as: w.members.admin })).status).toBe(403);
    const ended = await call(w.app, "POST", `/orgs/acme/members/${member.id}/sessions/end`, { as: w.members.admin });
    // Issue 11 #4: an org admin ends this org's grants and keys, not the member's sessions.
    expect(ended.json).toEqual({ grantsRevoked: 1, keysRevoked: 0 });
    expect(grantProblem(await loadGrantState(w.deps, grant.id), w.deps.config.sessionIdleTtl)).toContain("revoked");
    expect((await call(w.app, "GET", "/account/grants", { as: member })).status).toBe(200);
    const events = await call(w.app, "GET", "/orgs/acme/audit", { as: w.members.admin });
    expect(events.json.events.find((e: { action: string }) => e.action === "member.access_ended")).toMatchObject({ targetId: member.id });
  });
});

describe("members list", () => {
  test("everyone sees the members; only admins see pending invites", async () => {
    await call(w.app, "POST", "/orgs/acme/invites", { as: w.members.admin, body: { role: "viewer" } });
    const dev = await call(w.app, "GET", "/orgs/acme/members", { as: w.members.developer });
    expect(dev.json.members.map((m: { email: string }) => m.email)).toContain("viewer@acme.test");
    expect(dev.json.invites).toEqual([]);
    expect((await call(w.app, "GET", "/orgs/acme/members", { as: w.members.admin })).json.invites.length).toBeGreaterThan(0);
  });
});
