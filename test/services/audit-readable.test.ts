/**
 * Issue 16 #6, "An audit log people can read", the service part: the project log's list, detail, API and
 * export name users, apps and API keys instead of showing ids; the tool filter finds any part of a name;
 * the client filter still offers revoked apps and keys; an empty page says whether there are no calls at
 * all or none that match. Run through the JSON API (the same operations the pages call) and, for the
 * queries, on Postgres too.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { createGrant, revokeGrant } from "../../src/oauth/grants";
import { registerClient } from "../../src/oauth/register";
import { revokeApiKey } from "../../src/apikeys/keys";
import { auditClients, withNames } from "../../src/audit/names";
import { queryAudit } from "../../src/audit/query";
import type { AuditRow } from "../../src/audit/writer";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";
import { describePostgres } from "../fixtures/postgres";
import { pgServiceDeps } from "../fixtures/pg-services";
import { seedWorld, signIn, type World } from "../fixtures/world";

const P = "/projects/acme/shop";

function row(projectId: string, over: Partial<AuditRow>): AuditRow {
  return {
    projectId, time: Date.UTC(2026, 0, 5, 9, 30, 0), channel: "production", principal: "user", userId: null, grantId: null, clientId: null,
    apiKeyId: null, sessionId: null, method: "tools/call", tool: "get_order", version: 1, input: "{}", output: "{}",
    status: "ok", errorClass: null, error: null, logs: null, durationMs: 3, host: "claude-ai 1.0", ip: "10.0.0.1", ...over,
  };
}

/** An app registered by DCR and granted access to the project by `userId`; returns the client id and grant. */
async function grantedApp(deps: Parameters<typeof registerClient>[0], w: World, name: string, userId: string) {
  const { client_id } = await registerClient(deps, { client_name: name, redirect_uris: ["http://127.0.0.1:9/cb"], token_endpoint_auth_method: "none" });
  const s = await signIn(deps, (Object.values(w.users).find((u) => u.id === userId))!.email);
  const grant = await createGrant(deps.db, { userId, orgId: w.org.id, projectId: w.project.id, channel: "production", resource: w.url(), clientId: String(client_id), scopes: "mcp", sessionId: s.sessionId });
  return { clientId: String(client_id), grant };
}

describe("the project audit log names who called, through what", () => {
  const w = seededApp();
  let appId = "";
  let keyId = "";

  beforeAll(async () => {
    const app = await grantedApp(w.deps, w, "Claude Desktop", w.users.developer.id);
    appId = app.clientId;
    const key = await w.apiKey("admin", { name: "CI deploy" });
    keyId = key.id;
    expect((await call(w.app, "GET", `${P}/audit`, { as: w.members.owner })).json).toMatchObject({ events: [], empty: "none-yet" });
    w.deps.audit.record(row(w.project.id, { userId: w.users.developer.id, grantId: app.grant.id, clientId: appId, tool: "get_order" }));
    w.deps.audit.record(row(w.project.id, { userId: w.users.admin.id, principal: "apikey", apiKeyId: keyId, tool: "Reorder_Items", status: "error", errorClass: "runtime", error: "boom" }));
    w.deps.audit.record(row(w.project.id, { tool: "list_100%_items", principal: "anonymous" }));
    await w.deps.audit.flush();
    // Revoked afterwards: their calls stay in the log and must stay findable by name.
    await revokeGrant(w.deps, app.grant.id, { actorId: w.users.owner.id, reason: "test" });
    await revokeApiKey(w.deps, w.project.id, keyId);
  });

  test("list and detail carry the user's email, the app's name and the API key's name", async () => {
    const { json } = await call(w.app, "GET", `${P}/audit`, { as: w.members.owner });
    expect(json.empty).toBeNull();
    const byTool = Object.fromEntries(json.events.map((e: Record<string, unknown>) => [e.tool, e]));
    expect(byTool.get_order).toMatchObject({ userEmail: "developer@acme.test", clientName: "Claude Desktop", apiKeyName: null });
    expect(byTool.Reorder_Items).toMatchObject({ userEmail: "admin@acme.test", clientName: null, apiKeyName: "CI deploy" });
    const detail = await call(w.app, "GET", `${P}/audit/${byTool.get_order.id}`, { as: w.members.owner });
    expect(detail.json).toMatchObject({ userEmail: "developer@acme.test", clientName: "Claude Desktop", clientId: appId });
  });

  test("the export has a name column beside each id, in CSV and JSONL", async () => {
    const csv = await (await call(w.app, "GET", `${P}/audit/export?format=csv&tool=reorder`, { as: w.members.owner })).res.text();
    const [head, line] = csv.trim().split("\r\n") as [string, string];
    const cols = head.split(",");
    const cells = line.split(",");
    expect(cols.slice(4, 11)).toEqual(["userId", "userEmail", "grantId", "clientId", "clientName", "apiKeyId", "apiKeyName"]);
    expect(cells[cols.indexOf("userEmail")]).toBe("admin@acme.test");
    expect(cells[cols.indexOf("apiKeyName")]).toBe("CI deploy");
    const jsonl = await (await call(w.app, "GET", `${P}/audit/export?format=jsonl&tool=get_`, { as: w.members.owner })).res.text();
    expect(JSON.parse(jsonl.trim())).toMatchObject({ tool: "get_order", userEmail: "developer@acme.test", clientName: "Claude Desktop" });
  });

  test("the tool filter finds any part of the name in any case; % and _ are literal", async () => {
    const tools = async (q: string) => (await call(w.app, "GET", `${P}/audit?tool=${encodeURIComponent(q)}`, { as: w.members.owner })).json.events.map((e: { tool: string }) => e.tool).sort();
    expect(await tools("order")).toEqual(["Reorder_Items", "get_order"]);
    expect(await tools("REORDER")).toEqual(["Reorder_Items"]);
    expect(await tools("100%")).toEqual(["list_100%_items"]);
    expect(await tools("r_i")).toEqual(["Reorder_Items"]);
  });

  test("an empty page says whether nothing matches or nothing was called", async () => {
    expect((await call(w.app, "GET", `${P}/audit?tool=nothing_like_this`, { as: w.members.owner })).json).toMatchObject({ events: [], empty: "none-match" });
  });

  test("the client filter offers the revoked app and the revoked key, and filters by them", async () => {
    expect(await auditClients(w.deps.db, w.project.id)).toEqual([
      { id: appId, name: "Claude Desktop", kind: "app", revoked: true },
      { id: keyId, name: "CI deploy", kind: "apikey", revoked: true },
    ]);
    const byApp = (await call(w.app, "GET", `${P}/audit?client=${appId}`, { as: w.members.owner })).json.events;
    expect(byApp.map((e: { tool: string }) => e.tool)).toEqual(["get_order"]);
  });
});

describePostgres("the readable audit log on Postgres", (pg) => {
  const servicesOn = pgServiceDeps(pg);

  test("partial, case-blind tool search with literal % and _, names and revoked clients read as on SQLite", async () => {
    const deps = servicesOn();
    const db = deps.db;
    const w = await seedWorld(deps, { sessions: false });
    const key = await w.apiKey("admin", { name: "CI deploy" });
    const { auditEvents } = db.t;
    await db.insert(auditEvents).values([
      row(w.project.id, { tool: "get_order", userId: w.users.developer.id }),
      row(w.project.id, { tool: "Reorder_Items", principal: "apikey", apiKeyId: key.id, userId: w.users.admin.id }),
      row(w.project.id, { tool: "list_100%_items" }),
    ]);
    const tools = async (tool: string) => (await queryAudit(db, w.project.id, { tool })).events.map((e) => e.tool).sort();
    expect(await tools("ORDER")).toEqual(["Reorder_Items", "get_order"]);
    expect(await tools("100%")).toEqual(["list_100%_items"]);
    expect(await tools("r_i")).toEqual(["Reorder_Items"]);
    const named = await withNames(db, (await queryAudit(db, w.project.id, { tool: "reorder" })).events);
    expect(named[0]).toMatchObject({ userEmail: "admin@acme.test", apiKeyName: "CI deploy", clientName: null });
    await revokeApiKey(deps, w.project.id, key.id);
    expect(await auditClients(db, w.project.id)).toEqual([{ id: key.id, name: "CI deploy", kind: "apikey", revoked: true }]);
  });
});
