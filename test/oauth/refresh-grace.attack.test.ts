import { describe, expect, setSystemTime, test } from "bun:test";
import { decodeJwt } from "jose";
import { and, eq, gt, isNull } from "drizzle-orm";
import { refreshTokens } from "../../src/db/schema";
import { getGrant } from "../../src/oauth/grants";
import { obtainTokens, tokenRequest, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

const refresh = (clientId: string, refreshToken: string) =>
  tokenRequest(ctx.t.app, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId });

/** Refresh tokens of the grant that could still be rotated: never used, not expired. */
const liveRefreshTokens = (grantId: string) =>
  ctx.t.deps.db
    .select({ h: refreshTokens.tokenHash })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.grantId, grantId), isNull(refreshTokens.usedAt), gt(refreshTokens.expiresAt, Date.now())))
    .all().length;

// Issue 11 #6: every retry within the 30 s grace window used to mint its own pair, each rotating on its own
// forever (a stolen token replayed fast enough forked the family). A retry now gets the same successor pair.
describe("refresh grace window", () => {
  test("attack: replaying a refresh token six times in the grace window forks no family", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const gid = decodeJwt(tokens.access_token).gid as string;
    const answers: { access_token: string; refresh_token: string }[] = [];
    for (let i = 0; i < 6; i++) {
      setSystemTime(new Date(Date.now() + 2_000));
      const res = await refresh(client.client_id, tokens.refresh_token);
      expect(res.status).toBe(200);
      answers.push(await res.json());
    }
    const first = answers[0]!;
    for (const a of answers) expect({ access: a.access_token, refresh: a.refresh_token }).toEqual({ access: first.access_token, refresh: first.refresh_token });
    expect(liveRefreshTokens(gid)).toBe(1);
    // The successor rotates once; the family still has exactly one token that can be rotated.
    const next = await (await refresh(client.client_id, first.refresh_token)).json();
    expect(next.refresh_token).toBeString();
    expect(liveRefreshTokens(gid)).toBe(1);
    expect((await getGrant(ctx.t.deps.db, gid))?.revokedAt).toBeNull();
  });

  test("attack: two concurrent rotations of one refresh token leave one branch", async () => {
    const { client, tokens } = await obtainTokens(ctx.t.app, ctx.t.deps, ctx.w.users.developer.id, ctx.w.url("shop"));
    const gid = decodeJwt(tokens.access_token).gid as string;
    const [a, b] = await Promise.all([refresh(client.client_id, tokens.refresh_token), refresh(client.client_id, tokens.refresh_token)]);
    const [ja, jb] = [await a.json(), await b.json()];
    expect(jb.refresh_token).toBe(ja.refresh_token);
    expect(liveRefreshTokens(gid)).toBe(1);
  });
});
