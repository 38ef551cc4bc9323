import { describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { listGrants, listGrantsBySession, revokeGrant, revokeUserGrantsInOrg } from "../../src/oauth/grants";
import { listOrgEvents } from "../../src/audit/org-audit";
import { endSession } from "../../src/auth/sessions";
import { makeApp, req } from "../helpers";
import { authorizeParams, authorizePath, obtainTokens, openConsent, pkce, registerClient, seedWorld, signIn, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

const gid = (token: string) => decodeJwt(token).gid as string;

describe("grant service", () => {
  test("lists live grants by org, project, user and session with client name, kind, redirect host and last use", async () => {
    const a = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    const b = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("crm", "draft"));
    expect(await listGrants(ctx.t.deps, { orgId: ctx.w.org.id })).toHaveLength(2);
    expect((await listGrants(ctx.t.deps, { projectId: ctx.w.crm.id })).map((g) => g.id)).toEqual([gid(b.tokens.access_token)]);
    const [mine] = await listGrants(ctx.t.deps, { userId: ctx.w.users.viewer.id });
    expect(mine).toMatchObject({ id: gid(a.tokens.access_token), clientName: "Test App", registration: "dcr", redirectHost: "127.0.0.1:33418", projectName: "Shop", channel: "production" });
    expect((await listGrantsBySession(ctx.t.deps.db, a.session.id)).map((g) => g.id)).toEqual([gid(a.tokens.access_token)]);
  });

  test("a grant remembers its client, approving session, IP and user agent (behind two trusted proxies: the forwarded IP)", async () => {
    const t = await makeApp({ trustedProxy: "2" });
    try {
      const w = await seedWorld(t.deps);
      const client = await registerClient(t.app);
      const { cookie, session } = await signIn(t.deps, w.users.viewer.email);
      const page = await openConsent(t.app, authorizePath(authorizeParams(client.client_id, pkce().challenge, w.url("shop"))), cookie);
      const res = await req(t.app, "/oauth/authorize", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": "Claude-User/1.0" },
        body: new URLSearchParams({ request_id: page.requestId!, csrf: page.csrf!, decision: "approve" }).toString(),
      });
      expect(res.status).toBe(303);
      const [grant] = await listGrants(t.deps, { userId: w.users.viewer.id });
      expect(grant).toMatchObject({ clientId: client.client_id, sessionId: session.id, ip: "203.0.113.7", userAgent: "Claude-User/1.0", lastUsedAt: null });
    } finally {
      await t.close();
    }
  });

  test("revoked grants and grants of ended sessions are not listed", async () => {
    const a = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    const b = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    await revokeGrant(ctx.t.deps, gid(a.tokens.access_token), { actorId: ctx.w.users.owner.id, reason: "admin" });
    await endSession(ctx.t.deps, b.session.id, "signed out");
    expect(await listGrants(ctx.t.deps, { orgId: ctx.w.org.id })).toHaveLength(0);
  });

  test("revokeGrant emits grantRevoked once and writes the org audit log; a second call is a no-op", async () => {
    const a = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    const seen: string[] = [];
    ctx.t.deps.bus.on("grantRevoked", (e) => seen.push(e.grantId));
    expect(await revokeGrant(ctx.t.deps, gid(a.tokens.access_token), { actorId: ctx.w.users.owner.id, reason: "admin revoked" })).toBe(true);
    expect(await revokeGrant(ctx.t.deps, gid(a.tokens.access_token), { actorId: ctx.w.users.owner.id, reason: "again" })).toBe(false);
    expect(seen).toEqual([gid(a.tokens.access_token)]);
    const [event] = await listOrgEvents(ctx.t.deps.db, ctx.w.org.id, { action: "grant.revoked" });
    expect(event).toMatchObject({ actorId: ctx.w.users.owner.id, targetId: gid(a.tokens.access_token), projectId: ctx.w.shop.id });
  });

  test("revokeUserGrantsInOrg revokes every grant of a leaving member, and only theirs", async () => {
    await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("crm"));
    await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    expect(await revokeUserGrantsInOrg(ctx.t.deps, ctx.w.org.id, ctx.w.users.viewer.id, { actorId: ctx.w.users.owner.id })).toBe(2);
    expect((await listGrants(ctx.t.deps, { orgId: ctx.w.org.id })).map((g) => g.userId)).toEqual([ctx.w.users.developer.id]);
  });
});
