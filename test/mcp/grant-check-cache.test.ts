/**
 * The per-request grant check reads through the MCP read cache (one SQLite read transaction less per
 * call), and still acts on the very next request after every way a grant can end — made in this process
 * or by another connection such as the CLI's — although the grant was just served from the cache.
 */
import { describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { endSession } from "../../src/auth/sessions";
import { openDb } from "../../src/db/client";
import { systemClock } from "../../src/lib/clock";
import { EventBus } from "../../src/lib/events";
import { revokeGrant } from "../../src/oauth/grants";
import { removeMember } from "../../src/projects/orgs";
import { echoWithToken, worldPerTest } from "../oauth/fixtures";

const ctx = worldPerTest();

async function connected() {
  const { tokens, session, call } = await echoWithToken(ctx.t, ctx.w);
  // Twice: the second call is answered with the grant from the cache.
  expect((await call()).status).toBe(200);
  expect((await call()).status).toBe(200);
  return { call, grantId: decodeJwt(tokens.access_token).gid as string, sessionId: session.id };
}

describe("grant check through the read cache", () => {
  test("the audit rows calls write do not empty it: the change feed's version stays while only calls run", async () => {
    const c = await connected();
    const before = ctx.t.deps.changes.version();
    for (let i = 0; i < 5; i++) expect((await c.call()).status).toBe(200);
    await ctx.t.deps.audit.flush();
    expect(ctx.t.deps.changes.version()).toBe(before);
    // …and an ordinary write still moves it (the revocations below rely on that).
    await revokeGrant(ctx.t.deps, c.grantId, { actorId: null, reason: "test" });
    expect(ctx.t.deps.changes.version()).toBeGreaterThan(before);
  });

  test("revoked in this process: the very next call is 401 saying so", async () => {
    const c = await connected();
    await revokeGrant(ctx.t.deps, c.grantId, { actorId: null, reason: "test" });
    const next = await c.call();
    expect(next.status).toBe(401);
    expect(next.challenge).toContain("revoked");
  });

  test("revoked by another connection (the CLI's): the very next call is 401", async () => {
    const c = await connected();
    const cli = { db: openDb(ctx.t.deps.config.dataDir), bus: new EventBus(), clock: systemClock };
    await revokeGrant(cli, c.grantId, { actorId: null, reason: "cli" });
    cli.db.$client.close();
    expect((await c.call()).status).toBe(401);
  });

  test("the approving session ended: the very next call is 401 saying so", async () => {
    const c = await connected();
    await endSession(ctx.t.deps, c.sessionId, "signed out");
    const next = await c.call();
    expect(next.status).toBe(401);
    expect(next.challenge).toContain("session");
  });

  test("a removed member's very next call is 401", async () => {
    const c = await connected();
    await removeMember(ctx.t.deps.db, ctx.w.org.id, ctx.w.users.developer.id);
    const next = await c.call();
    expect(next.status).toBe(401);
    expect(next.challenge).toContain("no longer a member");
  });

  test("a member removed through another connection: the very next call is 401", async () => {
    const c = await connected();
    const cli = openDb(ctx.t.deps.config.dataDir);
    await removeMember(cli, ctx.w.org.id, ctx.w.users.developer.id);
    cli.$client.close();
    expect((await c.call()).status).toBe(401);
  });
});
