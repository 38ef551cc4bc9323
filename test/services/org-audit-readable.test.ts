/**
 * Issue 16 #6, the org audit part: each event says what happened in words (names, not ids or JSON), names
 * its project, filters by actor and time, and exports as JSONL and CSV; tool and instruction edits are in it.
 * Through the JSON API (the operations the page calls) and describeOrgEvent directly for the words.
 */
import { afterEach, describe, expect, test, setSystemTime } from "bun:test";
import { describeOrgEvent } from "../../src/audit/org-describe";
import { listOrgEvents, orgEventActorIds, recordOrgEvent } from "../../src/audit/org-audit";
import { describePostgres } from "../fixtures/postgres";
import { pgServiceDeps } from "../fixtures/pg-services";
import { seedWorld } from "../fixtures/world";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";

const names = { users: new Map([["usr_1", "bob@acme.test"]]), clients: new Map([["cli_1", "Claude Desktop"]]) };

describe("org events in words", () => {
  test("ids become names; a gone user or app reads as such, never as its id", () => {
    expect(describeOrgEvent({ action: "member.role", targetType: "user", targetId: "usr_1", details: { from: "viewer", to: "developer" } }, names))
      .toBe("Changed the role of bob@acme.test from viewer to developer");
    expect(describeOrgEvent({ action: "member.role", targetType: "user", targetId: "usr_gone", details: { from: "viewer", to: "admin" } }, names))
      .toBe("Changed the role of a former member from viewer to admin");
    expect(describeOrgEvent({ action: "grant.revoked", targetType: "grant", targetId: "gnt_1", details: { clientId: "cli_1", userId: "usr_1", reason: "revoked by an admin" } }, names))
      .toBe('Disconnected the app "Claude Desktop" of bob@acme.test (revoked by an admin)');
    expect(describeOrgEvent({ action: "grant.created", targetType: "grant", targetId: "gnt_2", details: { clientId: "cli_x", channel: "production", scopes: "mcp" } }, names))
      .toBe("Connected a removed app to the production channel (scopes: mcp)");
    expect(describeOrgEvent({ action: "project.publish", targetType: "version", targetId: "ver_1", details: { number: 3, tools: { added: ["a"], removed: [], changed: ["b", "c"] } } }, names))
      .toBe("Published version 3 (tools: added a; changed b, c)");
    expect(describeOrgEvent({ action: "tool.updated", targetType: "tool", targetId: "get_order", details: { fields: ["script", "description"], renamedTo: "fetch_order" } }, names))
      .toBe('Edited the draft tool "get_order": script, description, renamed it to "fetch_order"');
    expect(describeOrgEvent({ action: "instructions.set", targetType: null, targetId: null, details: { length: 42, before: 7 } }, names)).toBe("Edited the draft instructions (7 → 42 characters)");
    // Events recorded before `before` existed still read.
    expect(describeOrgEvent({ action: "instructions.set", targetType: null, targetId: null, details: { length: 42 } }, names)).toBe("Edited the draft instructions (42 characters)");
    // An action added later without words still reads as text, not a JSON blob.
    expect(describeOrgEvent({ action: "thing.done", targetType: "thing", targetId: "t1", details: { a: 1, b: "x" } }, names)).toBe("thing.done thing t1 (a: 1, b: x)");
  });
});

describe("the org audit log through the API", () => {
  const w = seededApp();
  afterEach(() => setSystemTime());

  test("tool and instruction edits are recorded, described, with their project and actor", async () => {
    setSystemTime(new Date("2026-03-01T10:00:00Z"));
    expect((await call(w.app, "POST", "/projects/acme/shop/tools", { as: w.members.developer, body: { name: "get_order", kind: "script", description: "Finds an order.", inputSchema: { type: "object" }, script: "export default async () => ({ ok: true })" } })).status).toBe(201);
    setSystemTime(new Date("2026-03-02T10:00:00Z"));
    expect((await call(w.app, "PATCH", "/projects/acme/shop/tools/get_order", { as: w.members.developer, body: { description: "Finds one order." } })).status).toBe(200);
    // Sent again, as a page save sends every field: nothing changed, so no second edit is recorded.
    const tool = (await call(w.app, "GET", "/projects/acme/shop/tools/get_order", { as: w.members.developer })).json;
    expect((await call(w.app, "PATCH", "/projects/acme/shop/tools/get_order", { as: w.members.developer, body: tool })).status).toBe(200);
    const put = await call(w.app, "PUT", "/projects/acme/shop/instructions", { as: w.members.admin, body: { instructions: "Be brief." } });
    expect(put.json).toEqual({ instructions: "Be brief." });
    // The same text saved again is no edit.
    expect((await call(w.app, "PUT", "/projects/acme/shop/instructions", { as: w.members.admin, body: { instructions: "Be brief." } })).status).toBe(200);
    setSystemTime(new Date("2026-03-03T10:00:00Z"));
    expect((await call(w.app, "PUT", `/orgs/acme/members/${w.users.viewer.id}/role`, { as: w.members.owner, body: { role: "developer" } })).status).toBe(200);

    const { json } = await call(w.app, "GET", "/orgs/acme/audit", { as: w.members.admin });
    const [role, instructions, edited, created] = json.events as Array<Record<string, unknown>>;
    expect(created).toMatchObject({ action: "tool.created", description: 'Created the draft tool "get_order" (script)', projectName: "Shop", actorEmail: "developer@acme.test" });
    expect(edited).toMatchObject({ action: "tool.updated", description: 'Edited the draft tool "get_order": description', projectName: "Shop" });
    expect(instructions).toMatchObject({ action: "instructions.set", description: "Edited the draft instructions (0 → 9 characters)", actorEmail: "admin@acme.test" });
    expect(role).toMatchObject({ description: "Changed the role of viewer@acme.test from viewer to developer", projectName: null, actorEmail: "owner@acme.test" });
  });

  test("filters by actor and by time, inclusive", async () => {
    const of = async (qs: string) => ((await call(w.app, "GET", `/orgs/acme/audit?${qs}`, { as: w.members.admin })).json.events as Array<{ action: string }>).map((e) => e.action);
    expect(await of(`actor=${w.users.developer.id}`)).toEqual(["tool.updated", "tool.created"]);
    expect(await of("from=2026-03-02T00:00:00&to=2026-03-02T23:59:59")).toEqual(["instructions.set", "tool.updated"]);
    expect(await of(`actor=${w.users.developer.id}&from=2026-03-02T10:00:00`)).toEqual(["tool.updated"]);
    expect((await call(w.app, "GET", "/orgs/acme/audit?from=yesterday", { as: w.members.admin })).status).toBe(400);
  });

  test("exports the filtered set as CSV and JSONL with descriptions and project names; admins only", async () => {
    const csv = await (await call(w.app, "GET", `/orgs/acme/audit/export?format=csv&actor=${w.users.developer.id}`, { as: w.members.admin })).res.text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("id,time,actorId,actorEmail,action,description,projectId,projectName,targetType,targetId,details");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`2026-03-02T10:00:00.000Z,${w.users.developer.id},developer@acme.test,tool.updated,"Edited the draft tool ""get_order"": description",${w.project.id},Shop,tool,get_order,`);
    const jsonl = (await (await call(w.app, "GET", "/orgs/acme/audit/export?format=jsonl&action=instructions.set", { as: w.members.admin })).res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(jsonl).toEqual([expect.objectContaining({ action: "instructions.set", description: "Edited the draft instructions (0 → 9 characters)", projectName: "Shop", time: "2026-03-02T10:00:00.000Z" })]);
    expect((await call(w.app, "GET", "/orgs/acme/audit/export?format=csv", { as: w.members.developer })).status).toBe(403);
  });
});

describePostgres("org audit filters on Postgres", (pg) => {
  const servicesOn = pgServiceDeps(pg);

  test("actor and inclusive time bounds select the same rows as on SQLite; the actor list has each actor once", async () => {
    const deps = servicesOn();
    const db = deps.db;
    const w = await seedWorld(deps, { sessions: false });
    const at = (iso: string) => Date.parse(iso);
    const base = { orgId: w.org.id, targetType: "tool", projectId: w.project.id, details: { kind: "script" } };
    await recordOrgEvent(db, { ...base, actorId: w.users.developer.id, action: "tool.created", targetId: "a", time: at("2026-03-01T10:00:00Z") });
    await recordOrgEvent(db, { ...base, actorId: w.users.developer.id, action: "tool.created", targetId: "b", time: at("2026-03-02T10:00:00Z") });
    await recordOrgEvent(db, { ...base, actorId: w.users.admin.id, action: "tool.deleted", targetId: "a", time: at("2026-03-02T10:00:00Z") });
    const ids = async (f: Parameters<typeof listOrgEvents>[2]) => (await listOrgEvents(db, w.org.id, f)).map((e) => e.targetId);
    expect(await ids({ actorId: w.users.developer.id })).toEqual(["b", "a"]);
    expect(await ids({ from: at("2026-03-02T10:00:00Z"), to: at("2026-03-02T10:00:00Z") })).toEqual(["a", "b"]);
    expect(await ids({ actorId: w.users.admin.id, to: at("2026-03-01T23:59:59Z") })).toEqual([]);
    expect((await orgEventActorIds(db, w.org.id)).sort()).toEqual([w.users.admin.id, w.users.developer.id].sort());
  });
});
