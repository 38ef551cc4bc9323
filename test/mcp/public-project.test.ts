import { afterEach, describe, expect, test } from "bun:test";
import { listOrgEvents } from "../../src/audit/org-audit";
import { queryAudit } from "../../src/audit/query";
import { createDraftTool } from "../../src/projects/draft";
import { publish, setVisibility } from "../../src/projects/publish";
import { connectClient, ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const PING = { jsonrpc: "2.0", id: 1, method: "ping" };

describe("public projects", () => {
  test("production answers without a token and is audited as anonymous; draft stays private", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await publish(f.deps, f.project.id, f.users.admin);
    expect((await rpc(f.url(), PING)).status).toBe(401);
    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    const events = await listOrgEvents(f.deps.db, f.org.id, { action: "project.visibility" });
    expect(events[0]).toMatchObject({ actorId: f.users.admin, details: { from: "private", to: "public" } });

    const client = await connectClient(f.url());
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await client.close();
    await f.deps.audit.flush();
    const rows = (await queryAudit(f.deps.db, f.project.id, { method: "tools/list" })).events;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ principal: "anonymous", userId: null, apiKeyId: null, host: "test-host 1.0.0", channel: "production" });

    expect((await rpc(f.url("draft"), PING)).status).toBe(401);
  });

  test("anonymous callers are rate limited per IP with Retry-After and RateLimit headers", async () => {
    f = await mcpFixture({ publicRateLimit: 3 });
    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    for (let i = 0; i < 3; i++) expect((await rpc(f.url(), PING)).status).toBe(200);
    const limited = await rpc(f.url(), PING);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("ratelimit-limit")).toBe("3");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    // A token holder is not counted against the anonymous per-IP budget.
    expect((await rpc(f.url(), PING, { authorization: `Bearer ${await f.keyFor("viewer")}` })).status).toBe(200);
  });

  test("each credential has its own per-principal limit", async () => {
    f = await mcpFixture({ principalRateLimit: 2 });
    const a = await f.keyFor("viewer");
    const b = await f.keyFor("viewer");
    for (let i = 0; i < 2; i++) expect((await rpc(f.url(), PING, { authorization: `Bearer ${a}` })).status).toBe(200);
    expect((await rpc(f.url(), PING, { authorization: `Bearer ${a}` })).status).toBe(429);
    expect((await rpc(f.url(), PING, { authorization: `Bearer ${b}` })).status).toBe(200);
  });
});
