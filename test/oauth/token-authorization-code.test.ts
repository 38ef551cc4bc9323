import { describe, expect, setSystemTime, test } from "bun:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { getGrant } from "../../src/oauth/grants";
import { endSession } from "../../src/auth/sessions";
import { listHandshakes } from "../../src/doctor/handshake";
import { updateProject } from "../../src/projects/projects";
import { req } from "../helpers";
import { approve, authorizeParams, authorizePath, pkce, REDIRECT, registerClient, signIn, tokenRequest, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

/** A fresh code for the developer on shop production, with the client and PKCE verifier. */
async function freshCode(clientBody: Record<string, unknown> = {}) {
  const client = await registerClient(ctx.t.app, clientBody);
  const { verifier, challenge } = pkce();
  const { cookie } = await signIn(ctx.t.deps, ctx.w.users.developer.email);
  const location = await approve(ctx.t.app, authorizePath(authorizeParams(client.client_id, challenge, ctx.w.url("shop"))), cookie);
  return { client, verifier, code: location.searchParams.get("code")! };
}

function exchange(c: Awaited<ReturnType<typeof freshCode>>, overrides: Record<string, string | undefined> = {}, headers: Record<string, string> = {}) {
  const fields: Record<string, string | undefined> = {
    grant_type: "authorization_code",
    code: c.code,
    redirect_uri: REDIRECT,
    code_verifier: c.verifier,
    client_id: c.client.client_id,
    resource: ctx.w.url("shop"),
    ...overrides,
  };
  return tokenRequest(ctx.t.app, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>, headers);
}

async function expectError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect((await res.json()).error).toBe(error);
}

describe("grant_type=authorization_code", () => {
  test("issues an EdDSA JWT with iss, aud, sub, scope, client_id, gid, jti, iat, exp (8 h) and a refresh token, no-store", async () => {
    // Management scopes reach a production grant only where the project offers management tools there (issue 16 #3).
    await updateProject(ctx.t.deps.db, ctx.w.shop.id, { managementTools: "draft_and_production" });
    const c = await freshCode();
    const res = await exchange(c);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 28800 });
    expect(body.refresh_token).toStartWith("prf_");
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ iss: "http://localhost", aud: ctx.w.url("shop"), sub: ctx.w.users.developer.id, client_id: c.client.client_id });
    expect(claims.exp! - claims.iat!).toBe(28800);
    expect(claims.jti).toBeString();
    expect((await getGrant(ctx.t.deps.db, claims.gid as string))?.resource).toBe(ctx.w.url("shop"));
    expect(String(claims.scope).split(" ").sort()).toEqual(["project:read", "project:write", "tools:call"]);
  });

  test("a wrong PKCE verifier is invalid_grant, and the connection doctor says so for the project", async () => {
    await expectError(await exchange(await freshCode(), { code_verifier: pkce().verifier }), 400, "invalid_grant");
    const [last] = await listHandshakes(ctx.t.deps.db, ctx.w.shop.id);
    expect(last).toMatchObject({ step: "token", outcome: "fail", reason: "invalid_grant: The PKCE code_verifier does not match the code_challenge." });
  });

  test("a missing PKCE verifier is invalid_request", async () => {
    await expectError(await exchange(await freshCode(), { code_verifier: undefined }), 400, "invalid_request");
  });

  test("a redirect_uri that differs from the authorization request, even by a loopback port, is invalid_grant", async () => {
    await expectError(await exchange(await freshCode(), { redirect_uri: "http://127.0.0.1:1/callback" }), 400, "invalid_grant");
  });

  test("a resource other than the authorized one is invalid_target", async () => {
    await expectError(await exchange(await freshCode(), { resource: ctx.w.url("shop", "draft") }), 400, "invalid_target");
  });

  test("resource is compared exactly (RFC 8707): the authorized URL plus a query, a fragment or a slash is invalid_target", async () => {
    for (const suffix of ["?x=1", "#frag", "/"]) {
      await expectError(await exchange(await freshCode(), { resource: ctx.w.url("shop") + suffix }), 400, "invalid_target");
    }
  });

  test("a repeated resource is invalid_request and leaves the code unspent", async () => {
    const c = await freshCode();
    const fields = new URLSearchParams({ grant_type: "authorization_code", code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: c.client.client_id });
    fields.append("resource", ctx.w.url("shop"));
    fields.append("resource", ctx.w.url("crm"));
    const res = await req(ctx.t.app, "/oauth/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields.toString() });
    await expectError(res, 400, "invalid_request");
    expect((await exchange(c)).status).toBe(200);
  });

  test("a code is single-use: a replay is invalid_grant and revokes the grant it issued", async () => {
    const c = await freshCode();
    const first = await (await exchange(c)).json();
    await expectError(await exchange(c), 400, "invalid_grant");
    const gid = decodeJwt(first.access_token).gid as string;
    expect((await getGrant(ctx.t.deps.db, gid))?.revokedReason).toBe("authorization code reused");
    await expectError(await tokenRequest(ctx.t.app, { grant_type: "refresh_token", refresh_token: first.refresh_token, client_id: c.client.client_id }), 400, "invalid_grant");
  });

  test("two concurrent exchanges of one code: exactly one gets tokens, and the replay revokes its grant", async () => {
    const c = await freshCode();
    const results = await Promise.all([exchange(c), exchange(c)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const issued = await results.find((r) => r.status === 200)!.json();
    expect((await getGrant(ctx.t.deps.db, decodeJwt(issued.access_token).gid as string))?.revokedAt).toBeNumber();
  });

  test("a code older than 60 s is invalid_grant", async () => {
    const c = await freshCode();
    setSystemTime(new Date(Date.now() + 61_000));
    await expectError(await exchange(c), 400, "invalid_grant");
  });

  test("a code presented by another client is invalid_grant", async () => {
    const c = await freshCode();
    const other = await registerClient(ctx.t.app);
    await expectError(await exchange(c, { client_id: other.client_id }), 400, "invalid_grant");
  });

  test("an unknown client is invalid_client (401), so hosts register again", async () => {
    await expectError(await exchange(await freshCode(), { client_id: "cli_gone" }), 401, "invalid_client");
    // RFC 6749 §5.2: after an Authorization header the 401 carries a matching challenge, also for an unknown client.
    const res = await exchange(await freshCode(), { client_id: undefined }, { authorization: `Basic ${btoa("cli_gone:some-secret")}` });
    expect(res.headers.get("www-authenticate")).toStartWith("Basic ");
    await expectError(res, 401, "invalid_client");
  });

  test("client_secret_basic: the right secret in Basic works; a wrong one or the wrong method is invalid_client", async () => {
    const c = await freshCode({ token_endpoint_auth_method: "client_secret_basic" });
    const basic = (secret: string) => ({ authorization: `Basic ${btoa(`${c.client.client_id}:${secret}`)}` });
    await expectError(await exchange(c, { client_id: undefined }, basic("wrong")), 401, "invalid_client");
    await expectError(await exchange(c, { client_secret: c.client.client_secret }), 401, "invalid_client");
    expect((await exchange(c, { client_id: undefined }, basic(c.client.client_secret!))).status).toBe(200);
  });

  test("client_secret_post: the secret in the body works; none or a wrong one is invalid_client", async () => {
    const c = await freshCode({ token_endpoint_auth_method: "client_secret_post" });
    await expectError(await exchange(c), 401, "invalid_client");
    await expectError(await exchange(c, { client_secret: "nope" }), 401, "invalid_client");
    expect((await exchange(c, { client_secret: c.client.client_secret })).status).toBe(200);
  });

  test("a public client sending a secret is invalid_client", async () => {
    await expectError(await exchange(await freshCode(), { client_secret: "x" }), 401, "invalid_client");
  });

  test("an unknown grant type is unsupported_grant_type; a JSON body is invalid_request", async () => {
    const c = await freshCode();
    await expectError(await exchange(c, { grant_type: "password" }), 400, "unsupported_grant_type");
    const res = await ctx.t.app.handle(
      new Request("http://localhost/oauth/token", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    );
    await expectError(res, 400, "invalid_request");
  });

  test("a code whose approving session ended meanwhile is invalid_grant", async () => {
    const client = await registerClient(ctx.t.app);
    const { verifier, challenge } = pkce();
    const { cookie, session } = await signIn(ctx.t.deps, ctx.w.users.developer.email);
    const location = await approve(ctx.t.app, authorizePath(authorizeParams(client.client_id, challenge, ctx.w.url("shop"))), cookie);
    await endSession(ctx.t.deps, session.id, "signed out");
    const c = { client, verifier, code: location.searchParams.get("code")! };
    await expectError(await exchange(c), 400, "invalid_grant");
  });
});

describe("replays after issue 11 #8", () => {
  test("a spent code presented with a wrong verifier is refused without revoking; the correct replay revokes", async () => {
    const c = await freshCode();
    const tokens = await (await exchange(c)).json();
    const gid = decodeJwt(tokens.access_token).gid as string;
    await expectError(await exchange(c, { code_verifier: pkce().verifier }), 400, "invalid_grant");
    expect((await getGrant(ctx.t.deps.db, gid))?.revokedAt).toBeNull();
    await expectError(await exchange(c), 400, "invalid_grant");
    expect((await getGrant(ctx.t.deps.db, gid))?.revokedAt).toBeNumber();
  });
});
