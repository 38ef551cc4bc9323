import { describe, expect, setSystemTime, test } from "bun:test";
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { authenticateBearer, bearerChallenge, requireScope, type BearerTarget } from "../../src/oauth/bearer";
import { revokeGrant } from "../../src/oauth/grants";
import { rotateSigningKey } from "../../src/oauth/keys";
import { grantProblem, loadGrantState } from "../../src/oauth/grant-check";
import { listHandshakes } from "../../src/doctor/handshake";
import { OAuthError } from "../../src/errors";
import { endSession } from "../../src/auth/sessions";
import { removeMember, setRole } from "../../src/projects/orgs";
import { updateProject } from "../../src/projects/projects";
import { grants, sessions, signingKeys } from "../../src/db/schema";
import { openPrivateJwk } from "../../src/oauth/key-seal";
import { postForm, req } from "../helpers";
import { obtainTokens, PASSWORD, signIn, tokenRequest, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

function target(project: "shop" | "crm" = "shop", channel: "production" | "draft" = "production"): BearerTarget {
  const p = project === "shop" ? ctx.w.shop : ctx.w.crm;
  return { orgId: ctx.w.org.id, projectId: p.id, orgSlug: "acme", projectSlug: project, channel };
}

const request = (token?: string, scheme = "Bearer") =>
  new Request("http://localhost/acme/shop", { method: "POST", headers: token ? { authorization: `${scheme} ${token}` } : {} });

async function rejection(token: string | undefined, tgt = target(), scheme?: string): Promise<OAuthError> {
  const err = await authenticateBearer(ctx.t.deps, request(token, scheme), tgt).then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(OAuthError);
  expect(err.status).toBe(401);
  return err;
}

async function expectInvalid(token: string, tgt = target(), why?: string) {
  const err = await rejection(token, tgt);
  expect(err.code).toBe("invalid_token");
  expect(err.headers["www-authenticate"]).toContain('error="invalid_token"');
  if (why) expect(err.message).toContain(why);
}

describe("authenticateBearer", () => {
  test("no token: 401 challenge with resource_metadata and scope, without an error code (RFC 6750 §3.1)", async () => {
    const err = await rejection(undefined);
    const header = err.headers["www-authenticate"]!;
    expect(header).toStartWith("Bearer ");
    expect(header).toContain('resource_metadata="http://localhost/.well-known/oauth-protected-resource/acme/shop"');
    expect(header).toContain('scope="project:read tools:call project:write publish settings"');
    expect(header).not.toContain("error=");
    expect(bearerChallenge("http://localhost", target("shop", "draft"))).toContain("/.well-known/oauth-protected-resource/acme/shop/draft");
  });

  test("a valid token yields the user principal with granted ∩ role-allowed scopes", async () => {
    // Management scopes reach a production grant only where the project offers management tools there (issue 16 #3).
    await updateProject(ctx.t.deps.db, ctx.w.shop.id, { managementTools: "draft_and_production" });
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const p = await authenticateBearer(ctx.t.deps, request(tokens.access_token), target());
    expect(p).toMatchObject({ kind: "user", userId: ctx.w.users.developer.id, role: "developer" });
    if (p.kind !== "user") throw new Error("unreachable");
    expect(p.grantId).toBe(decodeJwt(tokens.access_token).gid as string);
    expect(p.scopes.sort()).toEqual(["project:read", "project:write", "tools:call"]);
  });

  test("a draft token is refused on production, and a production token on draft", async () => {
    const draft = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop", "draft"));
    await expectInvalid(draft.tokens.access_token, target("shop", "production"), "another MCP server");
    const prod = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await expectInvalid(prod.tokens.access_token, target("shop", "draft"), "another MCP server");
  });

  test("project A's token is refused on project B", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await expectInvalid(tokens.access_token, target("crm"), "another MCP server");
  });

  test("alg none, an HMAC token and a token signed by another key with our kid are refused", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const claims = decodeJwt(tokens.access_token);
    const { kid } = decodeProtectedHeader(tokens.access_token);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    await expectInvalid(`${b64({ alg: "none", typ: "at+jwt", kid })}.${b64(claims)}.`);
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid }).sign(new TextEncoder().encode("x".repeat(32)));
    await expectInvalid(hmac);
    const { privateKey } = generateKeyPairSync("ed25519");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid }).sign(privateKey);
    await expectInvalid(forged);
    await expectInvalid("not.a.jwt");
    expect((await rejection(tokens.access_token, target(), "Basic")).code).toBe("invalid_token");
  });

  test("with our own key: another issuer, another token type (typ) or another audience is refused", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const claims = decodeJwt(tokens.access_token);
    const { kid } = decodeProtectedHeader(tokens.access_token);
    const row = ctx.t.deps.db.select().from(signingKeys).where(eq(signingKeys.kid, kid!)).get()!;
    const ours = createPrivateKey({ key: openPrivateJwk(ctx.t.deps.tools.secrets, kid!, row.privateJwk), format: "jwk" });
    const sign = (body: Record<string, unknown>, typ = "at+jwt") => new SignJWT(body).setProtectedHeader({ alg: "EdDSA", typ, kid }).sign(ours);
    // Control: the same signer with the genuine claims passes, so each refusal below is about the one change.
    expect((await authenticateBearer(ctx.t.deps, request(await sign({ ...claims, jti: "control" })), target())).kind).toBe("user");
    await expectInvalid(await sign({ ...claims, iss: "https://evil.example" }));
    await expectInvalid(await sign({ ...claims, jti: "id-token" }, "JWT"));
    await expectInvalid(await sign({ ...claims, aud: `${ctx.w.url("shop")}/` }), target(), "another MCP server");
  });

  test("an expired token is refused, also after it was cached", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await authenticateBearer(ctx.t.deps, request(tokens.access_token), target());
    setSystemTime(new Date(Date.now() + 8 * 3600 * 1000 + 1000));
    await expectInvalid(tokens.access_token, target(), "invalid or expired");
  });

  test("revocation acts on the very next request, although the token's claims are cached", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await authenticateBearer(ctx.t.deps, request(tokens.access_token), target());
    await revokeGrant(ctx.t.deps, decodeJwt(tokens.access_token).gid as string, { actorId: ctx.w.users.owner.id, reason: "test" });
    await expectInvalid(tokens.access_token, target(), "revoked");
    await expectInvalid(tokens.access_token, target(), "revoked");
    // The connection doctor learns why, once (not once per retry).
    const refusals = (await listHandshakes(ctx.t.deps.db, ctx.w.shop.id)).filter((h) => h.step === "mcp" && h.outcome === "fail");
    expect(refusals.map((h) => h.reason)).toEqual(["the authorization was revoked (test)"]);
  });

  test("a removed member is refused with a reason in words", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await removeMember(ctx.t.deps.db, ctx.w.org.id, ctx.w.users.developer.id);
    await expectInvalid(tokens.access_token, target(), "no longer a member");
  });

  test("a member removed by an admin over the API: the next request is 401 invalid_token saying so", async () => {
    const { t, w } = ctx;
    const { tokens } = await obtainTokens(t.app, t.deps, w.users.developer.id, w.url("shop"));
    const admin = await signIn(t.deps, w.users.admin.email);
    const res = await req(t.app, `/api/v1/orgs/acme/members/${w.users.developer.id}`, { method: "DELETE", headers: { cookie: admin.cookie, "x-csrf-token": admin.session.csrfSecret } });
    expect(res.status).toBe(204);
    const err = await rejection(tokens.access_token);
    expect(err.code).toBe("invalid_token");
    expect(err.headers["www-authenticate"]).toContain('error_description="The access token is no longer valid: the authorization was revoked (member removed)."');
  });

  test("an ended or idle approving session ends the grant", async () => {
    const a = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await endSession(ctx.t.deps, a.session.id, "signed out");
    await expectInvalid(a.tokens.access_token, target(), "session");
    const b = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const idleSince = Date.now() - ctx.t.deps.config.sessionIdleTtl * 1000 - 1000;
    ctx.t.deps.db.update(sessions).set({ lastSeenAt: idleSince }).where(eq(sessions.id, b.session.id)).run();
    await expectInvalid(b.tokens.access_token, target(), "session");
  });

  test("every way a sign-in session ends over HTTP ends the grants it approved, with the reason in words", async () => {
    const { t, w } = ctx;
    const obtain = () => obtainTokens(t.app, t.deps, w.users.developer.id, w.url("shop"));
    const a = await obtain();
    expect((await postForm(t.app, "/logout", { csrf: a.session.csrfSecret }, a.cookie)).status).toBe(303);
    await expectInvalid(a.tokens.access_token, target(), "session");
    const b = await obtain();
    const c = await obtain();
    // Revoking another session of one's own on the account page (b revokes c).
    expect((await postForm(t.app, `/account/sessions/${c.session.id}/revoke`, { csrf: b.session.csrfSecret }, b.cookie)).status).toBe(303);
    await expectInvalid(c.tokens.access_token, target(), "session");
    await authenticateBearer(t.deps, request(b.tokens.access_token), target());
    const d = await obtain();
    expect((await postForm(t.app, "/account/sign-out-everywhere", { csrf: d.session.csrfSecret }, d.cookie)).status).toBe(303);
    for (const x of [b, d]) await expectInvalid(x.tokens.access_token, target(), "session");
    const e = await obtain();
    const changed = await postForm(t.app, "/account/password", { csrf: e.session.csrfSecret, current: PASSWORD, password: "another long passphrase" }, e.cookie);
    expect(changed.status).toBe(303);
    await expectInvalid(e.tokens.access_token, target(), "session");
  });

  test("idle expiry is 30 days by default; a connector in use keeps its approving session alive past it", async () => {
    const { t, w } = ctx;
    expect(t.deps.config.sessionIdleTtl).toBe(30 * 24 * 3600);
    const { client, tokens } = await obtainTokens(t.app, t.deps, w.users.developer.id, w.url("shop"));
    const DAY = 24 * 3600 * 1000;
    let refreshToken = tokens.refresh_token;
    const useAt = async (day: number) => {
      setSystemTime(new Date(start + day * DAY));
      const res = await tokenRequest(t.app, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: client.client_id });
      const body = await res.json();
      if (res.status !== 200) return body.error_description as string;
      refreshToken = body.refresh_token;
      await authenticateBearer(t.deps, request(body.access_token), target());
      return "ok";
    };
    const start = Date.now();
    expect(await useAt(20)).toBe("ok");
    expect(await useAt(45)).toBe("ok"); // 45 days after sign-in, 25 after the last use
    // 31 days without use: the session, and with it the grant, has ended (the refresh token has expired too).
    setSystemTime(new Date(start + 76 * DAY));
    expect(grantProblem(await loadGrantState(t.deps, decodeJwt(tokens.access_token).gid as string), t.deps.config.sessionIdleTtl)).toContain("session");
  });

  test("the grant's use keeps its session alive and records last use (throttled)", async () => {
    const { tokens, session } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const gid = decodeJwt(tokens.access_token).gid as string;
    await authenticateBearer(ctx.t.deps, request(tokens.access_token), target());
    const firstUse = ctx.t.deps.db.select().from(grants).where(eq(grants.id, gid)).get()!.lastUsedAt;
    expect(firstUse).toBeNumber();
    await authenticateBearer(ctx.t.deps, request(tokens.access_token), target());
    expect(ctx.t.deps.db.select().from(grants).where(eq(grants.id, gid)).get()!.lastUsedAt).toBe(firstUse);
    setSystemTime(new Date(Date.now() + 2 * 3600 * 1000));
    await authenticateBearer(ctx.t.deps, request(tokens.access_token), target());
    expect(ctx.t.deps.db.select().from(grants).where(eq(grants.id, gid)).get()!.lastUsedAt).toBeGreaterThan(firstUse!);
    expect(ctx.t.deps.db.select().from(sessions).where(eq(sessions.id, session.id)).get()!.lastSeenAt).toBeGreaterThan(session.lastSeenAt);
  });

  test("a role lowered below the channel is 401; lowered within it narrows scopes without a step-up loop", async () => {
    const draft = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop", "draft"));
    const prod = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    await setRole(ctx.t.deps.db, ctx.w.org.id, ctx.w.users.developer.id, "viewer");
    await expectInvalid(draft.tokens.access_token, target("shop", "draft"), "no longer allows the draft channel");
    const p = await authenticateBearer(ctx.t.deps, request(prod.tokens.access_token), target());
    expect(p.scopes.sort()).toEqual(["project:read", "tools:call"]);
    // The role no longer allows project:write: false (the MCP layer hides it), never a 403 loop.
    expect(requireScope(p, "project:write", target())).toBe(false);
    expect(requireScope(p, "tools:call", target())).toBe(true);
  });

  test("a scope the role allows but the grant lacks is 403 insufficient_scope naming the scopes to ask for", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.admin.id, ctx.w.url("shop"));
    const narrowed = await (
      await ctx.t.app.handle(
        new Request("http://localhost/oauth/token", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: String(decodeJwt(tokens.access_token).client_id), scope: "project:read tools:call" }),
        }),
      )
    ).json();
    const p = await authenticateBearer(ctx.t.deps, request(narrowed.access_token), target());
    const err = (() => {
      try {
        requireScope(p, "settings", target(), "http://localhost");
      } catch (e) {
        return e as OAuthError;
      }
    })();
    expect(err?.status).toBe(403);
    expect(err?.code).toBe("insufficient_scope");
    expect(err?.headers["www-authenticate"]).toContain('error="insufficient_scope"');
    expect(err?.headers["www-authenticate"]).toContain('scope="project:read tools:call settings"');
    expect(err?.headers["www-authenticate"]).toContain("resource_metadata=");
  });

  test("after a key rotation old tokens still verify and new ones use the new key; retiring keys kills old tokens", async () => {
    const old = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const { kid } = await rotateSigningKey(ctx.t.deps);
    await authenticateBearer(ctx.t.deps, request(old.tokens.access_token), target());
    const fresh = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    expect(decodeProtectedHeader(fresh.tokens.access_token).kid).toBe(kid);
    await rotateSigningKey(ctx.t.deps, { retirePrevious: true });
    await expectInvalid(old.tokens.access_token);
    await expectInvalid(fresh.tokens.access_token);
  });
});
