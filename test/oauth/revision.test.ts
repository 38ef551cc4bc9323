/**
 * Which MCP revision each client speaks (issue 14): the grant remembers the `MCP-Protocol-Version` its client
 * last sent, the connection doctor records it on the first authenticated call and on a change of revision
 * (ids and outcomes only), the Server page shows it per connected app, and every audit row carries the
 * revision it was served under.
 */
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { auditEvents, grants, handshakeEvents } from "../../src/db/schema";
import { authenticateBearer } from "../../src/oauth/bearer";
import { req } from "../helpers";
import { echoWithToken, signIn, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

function mcp(token: string, body: unknown, headers: Record<string, string> = {}) {
  return req(ctx.t.app, "/acme/shop", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "host", version: "1" } } };

describe("the MCP revision each client speaks", () => {
  test("a 2025 client: initialize names no header, its next request does; grant, doctor, Server page and audit row say 2025-11-25", async () => {
    const { t, w } = ctx;
    const { tokens, client } = await echoWithToken(t, w);
    const init = await mcp(tokens.access_token, INITIALIZE);
    expect(init.status).toBe(200);
    const sessionId = init.headers.get("mcp-session-id")!;
    const grantRow = () => t.deps.db.select().from(grants).where(eq(grants.clientId, client.client_id)).get()!;
    expect(grantRow().protocolVersion).toBeNull();
    const headers = { "mcp-protocol-version": "2025-11-25", "mcp-session-id": sessionId };
    expect((await mcp(tokens.access_token, { jsonrpc: "2.0", id: 2, method: "tools/list" }, headers)).status).toBe(200);
    expect((await mcp(tokens.access_token, { jsonrpc: "2.0", id: 3, method: "tools/list" }, headers)).status).toBe(200);
    expect(grantRow().protocolVersion).toBe("2025-11-25");

    // The doctor: the first call (no revision yet), then one row for the revision — not one per request.
    const steps = t.deps.db.select().from(handshakeEvents).where(eq(handshakeEvents.step, "mcp")).all();
    expect(steps.map((s) => [s.clientId, s.outcome, s.protocolVersion])).toEqual([
      [client.client_id, "ok", null],
      [client.client_id, "ok", "2025-11-25"],
    ]);
    expect(JSON.stringify(steps)).not.toContain(tokens.access_token);

    const page = await (await req(t.app, "/admin/acme/shop", { headers: { cookie: (await signIn(t.deps, w.users.developer.email)).cookie } })).text();
    const connected = page.slice(page.indexOf("<h2>Authorized apps</h2>"), page.indexOf("<h2>Connection doctor</h2>"));
    expect(connected).toContain("Test App");
    expect(connected).toContain("developer@example.com");
    expect(connected).toContain("<code>2025-11-25</code>");
    expect(page).toContain("MCP 2025-11-25");

    await t.deps.audit.flush();
    const audited = t.deps.db.select({ method: auditEvents.method, protocolVersion: auditEvents.protocolVersion }).from(auditEvents).all();
    expect(audited.filter((a) => a.method === "tools/list")).toEqual([
      { method: "tools/list", protocolVersion: "2025-11-25" },
      { method: "tools/list", protocolVersion: "2025-11-25" },
    ]);
  });

  test("a client that moves to 2026-07-28 is recorded once more, and the Server page marks it stateless; a malformed header is never stored", async () => {
    const { t, w } = ctx;
    const { tokens, client } = await echoWithToken(t, w);
    const target = { orgId: w.org.id, projectId: w.shop.id, orgSlug: "acme", projectSlug: "shop", channel: "production" as const };
    const call = async (version: string) =>
      (await authenticateBearer(t.deps, new Request(w.url("shop"), { headers: { authorization: `Bearer ${tokens.access_token}`, "mcp-protocol-version": version } }), target));
    await call("2025-06-18");
    await call("2026-07-28");
    await call("2026-07-28");
    await call("2026-07-28<script>");
    const grant = t.deps.db.select().from(grants).where(eq(grants.clientId, client.client_id)).get()!;
    expect(grant.protocolVersion).toBe("2026-07-28");
    const revisions = t.deps.db.select().from(handshakeEvents).where(eq(handshakeEvents.step, "mcp")).all().map((s) => s.protocolVersion);
    expect(revisions).toEqual(["2025-06-18", "2026-07-28"]);
    const page = await (await req(t.app, "/admin/acme/shop", { headers: { cookie: (await signIn(t.deps, w.users.developer.email)).cookie } })).text();
    expect(page).toContain('<code>2026-07-28</code> <span class="muted small">stateless</span>');
    expect(page).not.toContain("&lt;script&gt;");
  });
});
