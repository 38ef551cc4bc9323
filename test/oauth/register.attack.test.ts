import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { eq } from "drizzle-orm";
import { makeApp, req, type TestApp } from "../helpers";
import { oauthClients } from "../../src/db/schema";
import { pruneExpiredOAuthRows } from "../../src/oauth/maintenance";
import { REDIRECT, approve, authorizeParams, authorizePath, pkce, seedWorld, signIn } from "./fixtures";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(() => {
  setSystemTime();
  return t.close();
});

const register = (body: Record<string, unknown>) =>
  req(t.app, "/oauth/register", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const stored = (clientId: string) => JSON.stringify(t.deps.db.select().from(oauthClients).where(eq(oauthClients.id, clientId)).get() ?? null);

// Issue 11 #10: anonymous registration kept whatever it was sent (a 60 KB junk field was stored) for a week.
describe("dynamic client registration stores little, briefly", () => {
  test("attack: a registration with a 60 KB junk field is refused, and an unknown field is never stored", async () => {
    const big = await register({ client_name: "Junk", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", junk: "j".repeat(60_000) });
    expect(big.status).toBe(400);
    expect((await big.json()).error).toBe("invalid_client_metadata");
    const small = await register({ client_name: "Junk", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", junk: "k".repeat(8_000), contacts_extra: { deep: "zzz-marker" } });
    expect(small.status).toBe(201);
    const row = stored((await small.json()).client_id);
    expect(row).toContain("Junk");
    expect(row).not.toContain("kkkk");
    expect(row).not.toContain("zzz-marker");
  });

  test("attack: oversized values of known fields are refused with invalid_client_metadata", async () => {
    for (const extra of [
      { software_id: "s".repeat(3000) },
      { redirect_uris: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:${1000 + i}/cb`) },
      { grant_types: Array.from({ length: 50 }, () => "authorization_code") },
    ]) {
      const res = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", ...extra });
      expect({ extra: Object.keys(extra)[0], status: res.status }).toEqual({ extra: Object.keys(extra)[0], status: 400 });
      expect((await res.json()).error).toBe("invalid_client_metadata");
    }
  });

  test("attack: a client registered 25 h ago that never completed an authorization is pruned", async () => {
    const w = await seedWorld(t.deps);
    const res = await register({ client_name: "Never finished", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" });
    const { client_id } = await res.json();
    // The user even consented, but the app never redeemed the code.
    await approve(t.app, authorizePath(authorizeParams(client_id, pkce().challenge, w.url("shop"))), (await signIn(t.deps, w.users.viewer.email)).cookie);
    setSystemTime(new Date(Date.now() + 25 * 3600 * 1000));
    await pruneExpiredOAuthRows(t.deps.db);
    expect(stored(client_id)).toBe("null");
  });
});
