/** The project operations through the JSON API: tools, instructions, manifest, publish/rollback, keys, audit. */
import { describe, expect, test } from "bun:test";
import { seededApp } from "../admin/fixtures";
import { call } from "./client";

const w = seededApp();
const P = "/projects/acme/shop";


const echo = { name: "echo", kind: "script", description: "Echo", inputSchema: { type: "object", properties: { text: { type: "string" } } }, script: "export default (i) => i" };

describe("tools and publishing through the API", () => {
  test("a developer creates, updates and lists draft tools; bad definitions get field-level errors", async () => {
    const dev = w.members.developer;
    const created = await call(w.app, "POST", `${P}/tools`, { as: dev, body: echo });
    expect(created.status).toBe(201);
    expect(created.json.name).toBe("echo");
    const dup = await call(w.app, "POST", `${P}/tools`, { as: dev, body: echo });
    expect(dup.status).toBe(409);
    const bad = await call(w.app, "POST", `${P}/tools`, { as: dev, body: { ...echo, name: "bad name!", inputSchema: { type: "string" } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_input");
    expect(bad.json.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(["name", "inputSchema"]));
    const schema = await call(w.app, "POST", `${P}/tools`, { as: dev, body: { ...echo, name: "s2", inputSchema: { type: "object", properties: { a: { type: 12 } } } } });
    expect(schema.status).toBe(400);
    expect(schema.json.error.message).toContain("inputSchema: not a valid JSON Schema");
    const patched = await call(w.app, "PATCH", `${P}/tools/echo`, { as: dev, body: { description: "Echoes text" } });
    expect(patched.status).toBe(200);
    expect(patched.json.description).toBe("Echoes text");
    const list = await call(w.app, "GET", `${P}/tools`, { as: dev });
    expect(list.json.channel).toBe("draft");
    expect(list.json.tools.map((x: { name: string; status: string }) => [x.name, x.status])).toEqual([["echo", "new"]]);
    // Issue 11 #13: viewers see what production serves (nothing yet), never the draft.
    expect((await call(w.app, "GET", `${P}/tools`, { as: w.members.viewer })).json).toEqual({ channel: "production", published: false, tools: [] });
    const viewerEdit = await call(w.app, "PATCH", `${P}/tools/echo`, { as: w.members.viewer, body: { description: "no" } });
    expect(viewerEdit.status).toBe(403);
  });

  test("publish needs admin; versions show the diff; rollback re-pins production", async () => {
    expect((await call(w.app, "POST", `${P}/publish`, { as: w.members.developer, body: {} })).status).toBe(403);
    const v1 = await call(w.app, "POST", `${P}/publish`, { as: w.members.admin, body: { note: "first" } });
    expect(v1.status).toBe(201);
    expect(v1.json.number).toBe(1);
    expect(v1.json.diff.tools.added).toEqual(["echo"]);
    await call(w.app, "POST", `${P}/tools`, { as: w.members.developer, body: { ...echo, name: "second" } });
    const pending = await call(w.app, "GET", `${P}/versions`, { as: w.members.developer });
    expect(pending.json.unpublishedChanges).toBe(true);
    expect((await call(w.app, "GET", `${P}/versions`, { as: w.members.viewer })).json.pending).toBeNull();
    expect(pending.json.pending.tools.added).toEqual(["second"]);
    const v2 = await call(w.app, "POST", `${P}/publish`, { as: w.members.admin, body: {} });
    expect(v2.json.number).toBe(2);
    const history = await call(w.app, "GET", `${P}/versions`, { as: w.members.developer });
    expect(history.json.unpublishedChanges).toBe(false);
    expect(history.json.versions.map((v: { number: number; live: boolean; authorEmail: string }) => [v.number, v.live, v.authorEmail])).toEqual([
      [2, true, "admin@acme.test"],
      [1, false, "admin@acme.test"],
    ]);
    const rolled = await call(w.app, "POST", `${P}/rollback`, { as: w.members.admin, body: { number: 1 } });
    expect(rolled.status).toBe(200);
    const one = await call(w.app, "GET", `${P}/versions/1`, { as: w.members.viewer });
    expect(one.json.live).toBe(true);
    expect(one.json.snapshot.tools.map((x: { name: string }) => x.name)).toEqual(["echo"]);
    expect((await call(w.app, "POST", `${P}/rollback`, { as: w.members.admin, body: { number: 99 } })).status).toBe(404);
    expect((await call(w.app, "POST", `${P}/rollback`, { as: w.members.admin, body: { number: "x" } })).status).toBe(400);
  });

  test("manifest export and import round-trip the draft", async () => {
    const exported = await call(w.app, "GET", `${P}/manifest`, { as: w.members.developer });
    expect(exported.json.tools.map((x: { name: string }) => x.name)).toEqual(["echo", "second"]);
    // Viewers get the published version's manifest (production was rolled back to v1).
    expect((await call(w.app, "GET", `${P}/manifest`, { as: w.members.viewer })).json.tools.map((x: { name: string }) => x.name)).toEqual(["echo"]);
    const imported = await call(w.app, "PUT", `${P}/manifest`, { as: w.members.developer, body: { ...exported.json, tools: [exported.json.tools[0]], instructions: "Hi" } });
    expect(imported.status).toBe(200);
    expect(imported.json.diff.tools.removed).toEqual(["second"]);
    expect((await call(w.app, "GET", `${P}/instructions`, { as: w.members.developer })).json.instructions).toBe("Hi");
    // Instructions are versioned (issue 16 #4): a viewer reads what production serves until the next publish.
    expect((await call(w.app, "GET", `${P}/instructions`, { as: w.members.viewer })).json.instructions).toBe("");
  });

  test("visibility is admin-only and lists tools that use secrets", async () => {
    await call(w.app, "PATCH", `${P}/tools/echo`, { as: w.members.developer, body: { secrets: ["API_KEY"] } });
    const info = await call(w.app, "GET", P, { as: w.members.viewer });
    expect(info.json.toolsUsingSecrets).toEqual(["echo"]);
    expect((await call(w.app, "PUT", `${P}/visibility`, { as: w.members.developer, body: { visibility: "public" } })).status).toBe(403);
    const pub = await call(w.app, "PUT", `${P}/visibility`, { as: w.members.admin, body: { visibility: "public" } });
    expect(pub.json.visibility).toBe("public");
    expect((await call(w.app, "PUT", `${P}/visibility`, { as: w.members.admin, body: { visibility: "everyone" } })).status).toBe(400);
  });

  test("a second live key with the same name in a project is refused with a clear message; a revoked key's name is free again", async () => {
    const admin = w.members.admin;
    const first = await call(w.app, "POST", `${P}/keys`, { as: admin, body: { name: "Deploy bot" } });
    expect(first.status).toBe(201);
    const again = await call(w.app, "POST", `${P}/keys`, { as: admin, body: { name: "  deploy BOT " } });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe('This project already has a key named "deploy BOT". Choose another name, or revoke that key first.');
    expect((await call(w.app, "GET", `${P}/keys`, { as: admin })).json.keys.filter((k: { name: string }) => k.name === "Deploy bot")).toHaveLength(1);
    expect((await call(w.app, "DELETE", `${P}/keys/${first.json.id}`, { as: admin })).status).toBe(204);
    expect((await call(w.app, "POST", `${P}/keys`, { as: admin, body: { name: "Deploy bot" } })).status).toBe(201);
  });

  test("API keys: created once with the secret, listed without it, revoked", async () => {
    const made = await call(w.app, "POST", `${P}/keys`, { as: w.members.admin, body: { name: "ci", channel: "production", expiresInDays: 30, scopes: "project:read settings" } });
    expect(made.status).toBe(201);
    expect(made.json.key).toStartWith("prt_");
    const listed = await call(w.app, "GET", `${P}/keys`, { as: w.members.viewer });
    expect(JSON.stringify(listed.json)).not.toContain(made.json.key);
    expect(listed.json.keys[0]).toMatchObject({ name: "ci", channel: "production", scopes: ["project:read", "settings"], management: true, createdByEmail: "admin@acme.test", lastUsedAt: null });
    expect((await call(w.app, "GET", P, { key: made.json.key })).status).toBe(200);
    expect((await call(w.app, "GET", `${P}/keys`, { key: made.json.key })).json.keys[0].lastUsedAt).toBeNumber();
    expect((await call(w.app, "DELETE", `${P}/keys/${made.json.id}`, { as: w.members.admin })).status).toBe(204);
    expect((await call(w.app, "GET", P, { key: made.json.key })).status).toBe(401);
  });

  test("audit: filters, cursor pages, one event, and export of the filtered set", async () => {
    const base = { projectId: w.project.id, channel: "production" as const, principal: "user" as const, method: "tools/call", durationMs: 3 };
    for (let i = 0; i < 5; i++) {
      w.deps.audit.record({ ...base, time: Date.parse("2026-01-01T00:00:00Z") + i * 60_000, tool: i % 2 ? "echo" : "other", status: i === 4 ? "error" : "ok", userId: w.members.viewer.id, input: JSON.stringify({ i }), errorClass: i === 4 ? "tool" : null, error: i === 4 ? "boom" : null, host: "claude-ai" });
    }
    await w.deps.audit.flush();
    const dev = w.members.developer;
    expect((await call(w.app, "GET", `${P}/audit`, { as: w.members.viewer })).status).toBe(403);
    const page1 = await call(w.app, "GET", `${P}/audit?limit=2`, { as: dev });
    expect(page1.json.events).toHaveLength(2);
    const page2 = await call(w.app, "GET", `${P}/audit?limit=2&cursor=${page1.json.nextCursor}`, { as: dev });
    expect(page2.json.events[0].id).toBeLessThan(page1.json.events[1].id);
    const errors = await call(w.app, "GET", `${P}/audit?status=error`, { as: dev });
    expect(errors.json.events.map((e: { error: string }) => e.error)).toEqual(["boom"]);
    const ranged = await call(w.app, "GET", `${P}/audit?tool=echo&from=2026-01-01T00:01&to=2026-01-01T00:02`, { as: dev });
    expect(ranged.json.events.map((e: { input: string }) => e.input)).toEqual(['{"i":1}']);
    expect((await call(w.app, "GET", `${P}/audit?from=yesterday`, { as: dev })).status).toBe(400);
    const one = await call(w.app, "GET", `${P}/audit/${errors.json.events[0].id}`, { as: dev });
    expect(one.json.errorClass).toBe("tool");
    expect((await call(w.app, "GET", `${P}/audit/999999`, { as: dev })).status).toBe(404);
    const jsonl = await call(w.app, "GET", `${P}/audit/export?format=jsonl&tool=echo`, { as: dev });
    expect(jsonl.res.headers.get("content-disposition")).toContain("attachment");
    const lines = (jsonl.json as string).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.tool)).toEqual(["echo", "echo"]);
    const csv = await call(w.app, "GET", `${P}/audit/export?format=csv&status=error`, { as: dev });
    expect((csv.json as string).trim().split("\r\n")).toHaveLength(2);
  });
});

describe("tool secrets through the API", () => {
  test("write-only: set for declared names only, listed by name, never returned", async () => {
    const dev = w.members.developer;
    const value = "secret-value-9931";
    await call(w.app, "POST", `${P}/tools`, { as: dev, body: { ...echo, name: "paid", secrets: ["TOKEN"] } });
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/TOKEN`, { as: w.members.viewer, body: { value } })).status).toBe(403);
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/OTHER`, { as: dev, body: { value } })).status).toBe(404);
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/lower`, { as: dev, body: { value } })).status).toBe(400);
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/TOKEN`, { as: dev, body: { value } })).status).toBe(204);
    const listed = await call(w.app, "GET", `${P}/tools/paid/secrets`, { as: dev });
    // Issue 11 #1: status per channel; a value without a channel is a draft value.
    expect(listed.json).toEqual({ declared: ["TOKEN"], draft: { set: ["TOKEN"], missing: [] }, production: { set: [], missing: ["TOKEN"] } });
    for (const path of [`${P}/tools/paid`, `${P}/tools`, `${P}/manifest`, `${P}/tools/paid/secrets`]) {
      expect(JSON.stringify((await call(w.app, "GET", path, { as: dev })).json)).not.toContain(value);
    }
    expect(w.logs.text).not.toContain(value);
    expect((await call(w.app, "DELETE", `${P}/tools/paid/secrets/TOKEN`, { as: dev })).status).toBe(204);
    expect((await call(w.app, "GET", `${P}/tools/paid/secrets`, { as: dev })).json.draft.set).toEqual([]);
  });
});

describe("project settings through the API", () => {
  test("admins switch management tools and audit storage; hosts hear list_changed on both channels", async () => {
    const heard: string[] = [];
    const off = w.deps.bus.on("toolsChanged", (e) => heard.push(e.channel));
    expect((await call(w.app, "PATCH", `${P}/settings`, { as: w.members.developer, body: { managementTools: "draft_and_production" } })).status).toBe(403);
    expect((await call(w.app, "PATCH", `${P}/settings`, { as: w.members.admin, body: { auditRetentionDays: 0 } })).status).toBe(400);
    const r = await call(w.app, "PATCH", `${P}/settings`, { as: w.members.admin, body: { managementTools: "draft_and_production", storePayloads: false, auditRetentionDays: 30 } });
    expect(r.status).toBe(200);
    expect(r.json.settings).toEqual({ storePayloads: false, auditRetentionDays: 30, managementTools: "draft_and_production" });
    expect((await call(w.app, "PATCH", `${P}/settings`, { as: w.members.admin, body: { managementTools: "production" } })).status).toBe(400);
    expect(heard.sort()).toEqual(["draft", "production"]);
    off();
    const events = await call(w.app, "GET", "/orgs/acme/audit?action=project.settings", { as: w.members.admin });
    expect(events.json.events[0].details).toEqual({ managementTools: "draft_and_production", storePayloads: false, auditRetentionDays: 30 });
  });
});

describe("prompts through the API", () => {
  test("put by name, list, delete", async () => {
    const dev = w.members.developer;
    const put = await call(w.app, "PUT", `${P}/prompts/greet`, { as: dev, body: { template: "Say hi to {{who}}", arguments: [{ name: "who" }] } });
    expect(put.status).toBe(200);
    expect(put.json.name).toBe("greet");
    expect((await call(w.app, "PUT", `${P}/prompts/greet`, { as: dev, body: { arguments: [] } })).status).toBe(400);
    expect((await call(w.app, "GET", `${P}/prompts`, { as: dev })).json.prompts.map((p: { name: string }) => p.name)).toEqual(["greet"]);
    expect((await call(w.app, "GET", `${P}/prompts`, { as: w.members.viewer })).json.prompts.map((p: { name: string }) => p.name)).not.toContain("greet");
    expect((await call(w.app, "DELETE", `${P}/prompts/greet`, { as: w.members.viewer })).status).toBe(403);
    expect((await call(w.app, "DELETE", `${P}/prompts/greet`, { as: dev })).status).toBe(204);
  });
});
