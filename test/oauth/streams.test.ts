/**
 * docs/architecture.md "Grant": revocation closes that grant's open streams, and a grant ends with its approving
 * session. An MCP notification stream (GET) opened with an OAuth access token must end at once when the
 * app revokes its token (RFC 7009), when the user signs out on /logout, and when the member is removed.
 */
import { describe, expect, test } from "bun:test";
import { postForm, req } from "../helpers";
import { revokeUserGrantsInOrg } from "../../src/oauth/grants";
import { obtainTokens, worldPerTest } from "./fixtures";

const ctx = worldPerTest();
const PROTOCOL = "2025-11-25";

/** Initializes an MCP session with `token` and opens its GET notification stream. */
async function openStream(channelPath: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, accept: "application/json, text/event-stream", "content-type": "application/json" };
  const init = await req(ctx.t.app, channelPath, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
  });
  expect(init.status).toBe(200);
  const sessionId = init.headers.get("mcp-session-id")!;
  await init.body?.cancel();
  const session = { ...headers, "mcp-session-id": sessionId, "mcp-protocol-version": PROTOCOL };
  await req(ctx.t.app, channelPath, { method: "POST", headers: session, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) });
  const stream = await req(ctx.t.app, channelPath, { headers: { ...session, accept: "text/event-stream" } });
  expect(stream.status).toBe(200);
  expect(stream.headers.get("content-type")).toContain("text/event-stream");
  const reader = stream.body!.getReader();
  /** Resolves true once the server has ended the stream (reading past keepalive comments). */
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return true;
  })();
  return { ended };
}

/** True when `ended` settles within `ms`. */
function endsWithin(ended: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([ended, Bun.sleep(ms).then(() => false)]);
}

describe("open MCP streams of a grant", () => {
  test("stay open while the grant lives, and end when the app revokes its token", async () => {
    const { t, w } = ctx;
    const { client, tokens } = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const { ended } = await openStream("/acme/shop", tokens.access_token);
    expect(await endsWithin(ended, 200)).toBe(false);
    const revoked = await postForm(t.app, "/oauth/revoke", { token: tokens.refresh_token, client_id: client.client_id });
    expect(revoked.status).toBe(200);
    expect(await endsWithin(ended, 2000)).toBe(true);
  });

  test("end when the user signs out of the session that approved the grant", async () => {
    const { t, w } = ctx;
    const { tokens, cookie, session } = await obtainTokens(t.app, t.deps, w.users.developer.id, w.url("shop", "draft"));
    const { ended } = await openStream("/acme/shop/draft", tokens.access_token);
    const out = await postForm(t.app, "/logout", { csrf: session.csrfSecret }, cookie);
    expect(out.status).toBe(303);
    expect(await endsWithin(ended, 2000)).toBe(true);
  });

  test("end when the member is removed from the organization", async () => {
    const { t, w } = ctx;
    const { tokens } = await obtainTokens(t.app, t.deps, w.users.viewer.id, w.url("shop"));
    const { ended } = await openStream("/acme/shop", tokens.access_token);
    expect(await revokeUserGrantsInOrg(t.deps, w.org.id, w.users.viewer.id, { actorId: w.users.owner.id })).toBe(1);
    expect(await endsWithin(ended, 2000)).toBe(true);
  });
});
