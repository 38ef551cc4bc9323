import { describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { getGrant } from "../../src/oauth/grants";
import { approve, authorizeParams, authorizePath, pkce, REDIRECT, registerClient, signIn, tokenRequest, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

async function freshCode() {
  const client = await registerClient(ctx.t.app);
  const { verifier, challenge } = pkce();
  const { cookie } = await signIn(ctx.t.deps, ctx.w.users.developer.email);
  const location = await approve(ctx.t.app, authorizePath(authorizeParams(client.client_id, challenge, ctx.w.url("shop"))), cookie);
  return { clientId: client.client_id, verifier, code: location.searchParams.get("code")! };
}

const exchange = (c: { clientId: string; code: string }, verifier: string, redirectUri = REDIRECT) =>
  tokenRequest(ctx.t.app, { grant_type: "authorization_code", code: c.code, redirect_uri: redirectUri, code_verifier: verifier, client_id: c.clientId, resource: ctx.w.url("shop") });

// Issue 11 #8: the code used to be spent before the verifier was checked, so one wrong guess by whoever held
// a stolen code burned it for the real client, whose correct exchange then revoked the grant as a "replay".
describe("PKCE before spending the code", () => {
  test("attack: a wrong code_verifier does not burn the code: the right one afterwards gets tokens", async () => {
    const c = await freshCode();
    const wrong = await exchange(c, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toBe("invalid_grant");
    const right = await exchange(c, c.verifier);
    expect(right.status).toBe(200);
    const tokens = await right.json();
    expect((await getGrant(ctx.t.deps.db, decodeJwt(tokens.access_token).gid as string))?.revokedAt).toBeNull();
  });

  test("attack: a wrong redirect_uri does not burn the code either", async () => {
    const c = await freshCode();
    expect((await (await exchange(c, c.verifier, "http://127.0.0.1:1/elsewhere")).json()).error).toBe("invalid_grant");
    expect((await exchange(c, c.verifier)).status).toBe(200);
  });
});
