import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { makeApp, type TestApp } from "../helpers";
import { listGrants, listGrantsBySession, revokeGrant, revokeUserGrantsInOrg } from "../../src/oauth/grants";
import { listOrgEvents } from "../../src/audit/org-audit";
import { endSession } from "../../src/auth/sessions";
import { obtainTokens, seedWorld, type World } from "./fixtures";

let t: TestApp;
let w: World;
beforeEach(async () => {
  t = await makeApp();
  w = await seedWorld(t.deps);
});
afterEach(() => t.close());

const gid = (token: string) => decodeJwt(token).gid as string;

describe("grant service", () => {
  test("lists live grants by org, project, user and session with client name, kind, redirect host and last use", async () => {
    const a = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const b = await obtainTokens(t.app, t.deps, w.users.developer.id, w.url("crm", "draft"));
    expect(listGrants(t.deps, { orgId: w.org.id })).toHaveLength(2);
    expect(listGrants(t.deps, { projectId: w.crm.id }).map((g) => g.id)).toEqual([gid(b.tokens.access_token)]);
    const [mine] = listGrants(t.deps, { userId: w.users.viewer.id });
    expect(mine).toMatchObject({ id: gid(a.tokens.access_token), clientName: "Test App", registration: "dcr", redirectHost: "127.0.0.1:33418", projectName: "Shop", channel: "production" });
    expect(listGrantsBySession(t.deps.db, a.session.id).map((g) => g.id)).toEqual([gid(a.tokens.access_token)]);
  });

  test("revoked grants and grants of ended sessions are not listed", async () => {
    const a = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const b = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    revokeGrant(t.deps, gid(a.tokens.access_token), { actorId: w.users.owner.id, reason: "admin" });
    endSession(t.deps, b.session.id, "signed out");
    expect(listGrants(t.deps, { orgId: w.org.id })).toHaveLength(0);
  });

  test("revokeGrant emits grantRevoked once and writes the org audit log; a second call is a no-op", async () => {
    const a = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const seen: string[] = [];
    t.deps.bus.on("grantRevoked", (e) => seen.push(e.grantId));
    expect(revokeGrant(t.deps, gid(a.tokens.access_token), { actorId: w.users.owner.id, reason: "admin revoked" })).toBe(true);
    expect(revokeGrant(t.deps, gid(a.tokens.access_token), { actorId: w.users.owner.id, reason: "again" })).toBe(false);
    expect(seen).toEqual([gid(a.tokens.access_token)]);
    const [event] = listOrgEvents(t.deps.db, w.org.id, { action: "grant.revoked" });
    expect(event).toMatchObject({ actorId: w.users.owner.id, targetId: gid(a.tokens.access_token), projectId: w.shop.id });
  });

  test("revokeUserGrantsInOrg revokes every grant of a leaving member, and only theirs", async () => {
    await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("crm"));
    await obtainTokens(t.app, t.deps, w.users.developer.id, w.url("shop"));
    expect(revokeUserGrantsInOrg(t.deps, w.org.id, w.users.viewer.id, { actorId: w.users.owner.id })).toBe(2);
    expect(listGrants(t.deps, { orgId: w.org.id }).map((g) => g.userId)).toEqual([w.users.developer.id]);
  });
});
