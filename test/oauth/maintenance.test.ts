import { describe, expect, test } from "bun:test";
import { authCodes, authRequests, refreshTokens } from "../../src/db/schema";
import { pruneExpiredOAuthRows } from "../../src/oauth/maintenance";
import { authorizeParams, authorizePath, obtainTokens, openConsent, pkce, registerClient, signIn, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

describe("OAuth housekeeping", () => {
  test("expired requests, day-old codes and expired refresh tokens are deleted; live rows stay; a client that never got a grant goes", async () => {
    const { t, w } = ctx;
    await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const client = await registerClient(t.app);
    await openConsent(t.app, authorizePath(authorizeParams(client.client_id, pkce().challenge, w.url("shop"))), signIn(t.deps, w.users.viewer.id).cookie);
    const rows = () => [authRequests, authCodes, refreshTokens].map((table) => t.deps.db.select().from(table).all().length);
    expect(rows()).toEqual([1, 1, 1]);
    expect(pruneExpiredOAuthRows(t.deps.db)).toEqual({ requests: 0, codes: 0, refreshTokens: 0, clients: 0 });
    expect(pruneExpiredOAuthRows(t.deps.db, Date.now() + 31 * 24 * 3600 * 1000)).toEqual({ requests: 1, codes: 1, refreshTokens: 1, clients: 1 });
    expect(rows()).toEqual([0, 0, 0]);
  });
});
