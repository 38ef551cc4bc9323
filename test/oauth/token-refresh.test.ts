import { describe, expect, setSystemTime, test } from "bun:test";
import { decodeJwt } from "jose";
import { getGrant } from "../../src/oauth/grants";
import { listOrgEvents } from "../../src/audit/org-audit";
import { endSession } from "../../src/auth/sessions";
import { eq } from "drizzle-orm";
import { refreshTokens } from "../../src/db/schema";
import { sha256 } from "../../src/lib/crypto";
import { pruneExpiredOAuthRows } from "../../src/oauth/maintenance";
import { obtainTokens, tokenRequest, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

const refresh = (clientId: string, refreshToken: string, extra: Record<string, string> = {}) =>
  tokenRequest(ctx.t.app, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId, ...extra });

const gidOf = (accessToken: string) => decodeJwt(accessToken).gid as string;

describe("grant_type=refresh_token", () => {
  test("rotates: a new pair in the same grant, no-store", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const res = await refresh(client.client_id, tokens.refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const next = await res.json();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(gidOf(next.access_token)).toBe(gidOf(tokens.access_token));
  });

  test("the same refresh token again within the 30 s grace window gets the same successor pair (issue 11 #6)", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const a = await (await refresh(client.client_id, tokens.refresh_token)).json();
    setSystemTime(new Date(Date.now() + 20_000));
    const res = await refresh(client.client_id, tokens.refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const b = await res.json();
    expect(b).toEqual(a);
    expect((await getGrant(ctx.t.deps.db, gidOf(a.access_token)))?.revokedAt).toBeNull();
    expect((await refresh(client.client_id, a.refresh_token)).status).toBe(200);
  });

  test("the successor is stored sealed, never as the token itself, and only for the window", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const a = await (await refresh(client.client_id, tokens.refresh_token)).json();
    const row = () => ctx.t.deps.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256(tokens.refresh_token))).get()!;
    expect(row().successor).toStartWith("prs1:");
    expect(row().successor).not.toContain(a.refresh_token);
    expect(row().successor).not.toContain(a.access_token.split(".")[1]);
    // Housekeeping after the window drops it.
    await pruneExpiredOAuthRows(ctx.t.deps.db, Date.now() + 31_000);
    expect(row().successor).toBeNull();
  });

  test("a retry whose successor was rotated meanwhile still gets that same pair; the family keeps one branch", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const a = await (await refresh(client.client_id, tokens.refresh_token)).json();
    const b = await (await refresh(client.client_id, a.refresh_token)).json();
    setSystemTime(new Date(Date.now() + 10_000));
    expect(await (await refresh(client.client_id, tokens.refresh_token)).json()).toEqual(a);
    expect(await (await refresh(client.client_id, a.refresh_token)).json()).toEqual(b);
  });

  test("a retry after the window drops the sealed pair along with the family", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await refresh(client.client_id, tokens.refresh_token);
    setSystemTime(new Date(Date.now() + 31_000));
    expect((await (await refresh(client.client_id, tokens.refresh_token)).json()).error).toBe("invalid_grant");
    const row = ctx.t.deps.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256(tokens.refresh_token))).get()!;
    expect(row.successor).toBeNull();
  });

  test("a spent token without a readable sealed pair is refused within the window, without revoking", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await refresh(client.client_id, tokens.refresh_token);
    ctx.t.deps.db.update(refreshTokens).set({ successor: "prs1:nokey:AAAA:AAAA" }).where(eq(refreshTokens.tokenHash, sha256(tokens.refresh_token))).run();
    const body = await (await refresh(client.client_id, tokens.refresh_token)).json();
    expect(body.error).toBe("invalid_grant");
    expect((await getGrant(ctx.t.deps.db, gidOf(tokens.access_token)))?.revokedAt).toBeNull();
  });

  test("a spent refresh token presented after the grace window revokes the grant and writes an org audit event", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const next = await (await refresh(client.client_id, tokens.refresh_token)).json();
    setSystemTime(new Date(Date.now() + 31_000));
    const res = await refresh(client.client_id, tokens.refresh_token);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("invalid_grant");
    const gid = gidOf(tokens.access_token);
    expect((await getGrant(ctx.t.deps.db, gid))?.revokedAt).toBeNumber();
    const events = await listOrgEvents(ctx.t.deps.db, ctx.w.org.id, { action: "grant.revoked" });
    expect(events[0]).toMatchObject({ targetId: gid, details: { reason: "refresh token reused after rotation" } });
    // The legitimate holder's newer token dies with the grant.
    expect((await (await refresh(client.client_id, next.refresh_token)).json()).error).toBe("invalid_grant");
  });

  test("a refresh token of another client is invalid_grant; an unknown one too", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const other = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    expect((await (await refresh(other.client.client_id, tokens.refresh_token)).json()).error).toBe("invalid_grant");
    expect((await (await refresh(other.client.client_id, "prf_nope")).json()).error).toBe("invalid_grant");
  });

  test("a refresh may narrow the scope but not widen it", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    expect((await (await refresh(client.client_id, tokens.refresh_token, { scope: "project:read settings" })).json()).error).toBe("invalid_scope");
    const narrowed = await (await refresh(client.client_id, tokens.refresh_token, { scope: "project:read" })).json();
    expect(narrowed.scope).toBe("project:read");
    expect(decodeJwt(narrowed.access_token).scope).toBe("project:read");
  });

  test("a resource other than the grant's is invalid_target", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    expect((await (await refresh(client.client_id, tokens.refresh_token, { resource: ctx.w.url("crm") })).json()).error).toBe("invalid_target");
  });

  test("a refused refresh (widened scope, other resource) does not spend the token: a correct retry after the grace window works", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    expect((await (await refresh(client.client_id, tokens.refresh_token, { scope: "project:read settings" })).json()).error).toBe("invalid_scope");
    expect((await (await refresh(client.client_id, tokens.refresh_token, { resource: ctx.w.url("crm") })).json()).error).toBe("invalid_target");
    setSystemTime(new Date(Date.now() + 31_000));
    const res = await refresh(client.client_id, tokens.refresh_token);
    expect(res.status).toBe(200);
    expect((await getGrant(ctx.t.deps.db, gidOf(tokens.access_token)))?.revokedAt).toBeNull();
  });

  test("after the approving session ends, refresh is invalid_grant with the reason", async () => {
    const { client, tokens, session } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await endSession(ctx.t.deps, session.id, "signed out");
    const body = await (await refresh(client.client_id, tokens.refresh_token)).json();
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toContain("session");
  });

  test("an expired refresh token is invalid_grant", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    setSystemTime(new Date(Date.now() + 31 * 24 * 3600 * 1000));
    expect((await (await refresh(client.client_id, tokens.refresh_token)).json()).error).toBe("invalid_grant");
  });
});
