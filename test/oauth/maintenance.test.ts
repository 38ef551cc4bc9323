import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { authCodes, authRequests, oauthClients, refreshTokens } from "../../src/db/schema";
import { UNUSED_CLIENT_TTL_MS } from "../../src/oauth/clients";
import { pruneExpiredOAuthRows } from "../../src/oauth/maintenance";
import { makeApp, tempDir } from "../helpers";
import { authorizeParams, authorizePath, obtainTokens, openConsent, pkce, registerClient, signIn, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

describe("OAuth housekeeping", () => {
  test("expired requests, day-old codes and expired refresh tokens are deleted; live rows stay; a client that never got a grant goes", async () => {
    const { t, w } = ctx;
    await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const client = await registerClient(t.app);
    await openConsent(t.app, authorizePath(authorizeParams(client.client_id, pkce().challenge, w.url("shop"))), (await signIn(t.deps, w.users.viewer.email)).cookie);
    const rows = () => [authRequests, authCodes, refreshTokens].map((table) => t.deps.db.select().from(table).all().length);
    expect(rows()).toEqual([1, 1, 1]);
    expect(await pruneExpiredOAuthRows(t.deps.db)).toEqual({ requests: 0, codes: 0, refreshTokens: 0, clients: 0 });
    expect(await pruneExpiredOAuthRows(t.deps.db, Date.now() + 31 * 24 * 3600 * 1000)).toEqual({ requests: 1, codes: 1, refreshTokens: 1, clients: 1 });
    expect(rows()).toEqual([0, 0, 0]);
  });

  test("the running app prunes on its own (shortly after start, off the start-up path, then on a timer): an unused day-old client goes without any request", async () => {
    const dataDir = tempDir();
    const first = await makeApp({ dataDir });
    const client = await registerClient(first.app);
    const dayAgo = Date.now() - UNUSED_CLIENT_TTL_MS - 1000;
    first.deps.db.update(oauthClients).set({ createdAt: dayAgo }).where(eq(oauthClients.id, client.client_id)).run();
    await first.close();
    const restarted = await makeApp({ dataDir });
    try {
      // Not during the start: a cold start does not wait for cleanup no request needs (src/lib/periodic.ts).
      expect(restarted.logs.text).not.toContain("oauth housekeeping pruned rows");
      expect(restarted.deps.db.select().from(oauthClients).all()).toHaveLength(1);
      // Then on its own, no request made: wait for its log line.
      for (let i = 0; i < 150 && !restarted.logs.text.includes("oauth housekeeping pruned rows"); i++) await Bun.sleep(20);
      expect(restarted.logs.text).toContain("oauth housekeeping pruned rows");
      expect(restarted.deps.db.select().from(oauthClients).all()).toEqual([]);
    } finally {
      await restarted.close();
    }
  });
});
