/**
 * Issue 11 #12: initialize returned the project's instructions to a credential without a read scope.
 * docs/architecture.md (Roles and scopes): reading instructions is `project:read`, the same scope tools/list needs.
 */
import { describe, expect, test } from "bun:test";
import { updateProject } from "../../src/projects/projects";
import { publish } from "../../src/projects/publish";
import { req } from "../helpers";
import { approve, authorizeParams, authorizePath, pkce, registerClient, REDIRECT, signIn, tokenRequest, worldPerTest } from "../oauth/fixtures";

const ctx = worldPerTest();

/** An access token for the viewer on production, granted only `scopes`. */
async function tokenWithScopes(scope: string): Promise<{ token: string; granted: string }> {
  const { t, w } = ctx;
  const client = await registerClient(t.app);
  const { verifier, challenge } = pkce();
  const { cookie } = await signIn(t.deps, w.users.viewer.email);
  const resource = w.url("shop");
  const location = await approve(t.app, authorizePath(authorizeParams(client.client_id, challenge, resource, { scope })), cookie);
  const res = await tokenRequest(t.app, { grant_type: "authorization_code", code: location.searchParams.get("code")!, redirect_uri: REDIRECT, code_verifier: verifier, client_id: client.client_id, resource });
  const body = (await res.json()) as { access_token: string; scope: string };
  return { token: body.access_token, granted: body.scope };
}

const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "h", version: "1" } } };

describe("instructions in initialize", () => {
  test("attack: a token granted only tools:call does not read the project's instructions through initialize", async () => {
    await updateProject(ctx.t.deps.db, ctx.w.shop.id, { instructions: "Internal: the discount code is FRIENDS50." });
    // Production serves the published version's instructions (issue 16 #4).
    await publish(ctx.t.deps, ctx.w.shop.id, null, undefined, { confirmMissingSecrets: true });
    const { token, granted } = await tokenWithScopes("tools:call");
    expect(granted.split(" ")).not.toContain("project:read");
    const res = await req(ctx.t.app, "/acme/shop", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify(INIT),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text).result.serverInfo.name).toBe("Shop");
    expect(text).not.toContain("FRIENDS50");
    expect(JSON.parse(text).result.instructions).toBeUndefined();
  });
});
