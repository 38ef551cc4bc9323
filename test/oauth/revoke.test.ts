import { describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { req } from "../helpers";
import { getGrant } from "../../src/oauth/grants";
import { obtainTokens, registerClient, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

const revoke = (fields: Record<string, string>) =>
  req(ctx.t.app, "/oauth/revoke", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });

const grantOf = async (accessToken: string) => (await getGrant(ctx.t.deps.db, decodeJwt(accessToken).gid as string))!;

describe("POST /oauth/revoke (RFC 7009)", () => {
  test("revoking an access token kills the whole grant", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    const res = await revoke({ token: tokens.access_token, token_type_hint: "access_token", client_id: client.client_id });
    expect(res.status).toBe(200);
    expect((await grantOf(tokens.access_token)).revokedAt).toBeNumber();
  });

  test("revoking a refresh token kills the grant; repeating it is still 200 (idempotent)", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    expect((await revoke({ token: tokens.refresh_token, client_id: client.client_id })).status).toBe(200);
    const revokedAt = (await grantOf(tokens.access_token)).revokedAt;
    expect(revokedAt).toBeNumber();
    expect((await revoke({ token: tokens.refresh_token, client_id: client.client_id })).status).toBe(200);
    expect((await grantOf(tokens.access_token)).revokedAt).toBe(revokedAt!);
  });

  test("an unknown token is 200; another client's token is 200 but stays valid", async () => {
    const { tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    const other = await registerClient(ctx.t.app);
    expect((await revoke({ token: "prf_unknown", client_id: other.client_id })).status).toBe(200);
    expect((await revoke({ token: tokens.refresh_token, client_id: other.client_id })).status).toBe(200);
    expect((await grantOf(tokens.access_token)).revokedAt).toBeNull();
  });

  test("client authentication is required: an unknown client is invalid_client; no token is invalid_request", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.viewer.id, ctx.w.url("shop"));
    const res = await revoke({ token: tokens.refresh_token, client_id: "cli_nobody" });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe("invalid_client");
    const missing = await revoke({ client_id: client.client_id });
    expect((await missing.json()).error).toBe("invalid_request");
  });
});
