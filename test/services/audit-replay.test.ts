/**
 * Replay (issue 18; src/services/audit-replay.ts): a developer re-runs an audited production call's input
 * against the current draft of the tool — from the audit detail page, the JSON API or the management tool —
 * and sees both results side by side. Runs on the draft with draft secrets only, recorded as a replay;
 * production is never touched.
 */
import { describe, expect, test } from "bun:test";
import { allowedScopes } from "../../src/auth/scopes";
import { createDraftTool, updateDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { updateProject } from "../../src/projects/projects";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";
import { postForm, req } from "../helpers";

const SCRIPT_V1 = "export default async (input) => ({ total: input.a + input.b });";
const SCRIPT_V2 = "export default async (input) => ({ total: input.a + input.b, note: 'fixed in the draft' });";

interface Row { id: number; source: string; channel: string; tool: string; input: string | null; output: string | null; user_id: string | null }

describe("replay an audited call against the draft", () => {
  const w = seededApp();
  const rows = (): Row[] => w.deps.db.$client.query("SELECT * FROM audit_events WHERE tool = 'add' ORDER BY id").all() as Row[];

  /** `add` v1 published; one production call through MCP with an API key; then the draft changed to v2. */
  async function auditedProductionCall(): Promise<Row> {
    // The file shares one world: the first test creates and publishes `add` v1; production serves it from then on.
    if (rows().length === 0) {
      await createDraftTool(w.deps, w.project.id, {
        name: "add", kind: "script", description: "Adds two numbers.",
        inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
        script: SCRIPT_V1,
      });
      await publish(w.deps, w.project.id, w.users.owner.id);
    }
    const { key } = await w.apiKey("owner", { channel: "production", scopes: allowedScopes("owner", "production") });
    const res = await req(w.app, "/acme/shop", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 2, b: 3 } } }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('\\"total\\":5');
    await updateDraftTool(w.deps, w.project.id, "add", { script: SCRIPT_V2 });
    const row = rows().at(-1)!;
    expect(row).toMatchObject({ source: "mcp", channel: "production" });
    return row;
  }

  test("the JSON API re-runs the production call's input on the changed draft and returns both results; audited as a replay on the draft", async () => {
    const original = await auditedProductionCall();
    const r = await call(w.app, "POST", `/projects/acme/shop/audit/${original.id}/replay`, { as: w.members.developer });
    expect(r.status).toBe(200);
    expect(r.json.original).toMatchObject({ id: original.id, channel: "production", status: "ok", output: { structuredContent: { total: 5 } } });
    expect(r.json.replay.result.structuredContent).toEqual({ total: 5, note: "fixed in the draft" });
    expect(r.json.replay.arguments).toEqual({ a: 2, b: 3 });
    const replayRow = rows().at(-1)!;
    expect(replayRow).toMatchObject({ source: "replay", channel: "draft", user_id: w.users.developer.id, input: JSON.stringify({ a: 2, b: 3 }) });
    // Production still serves v1: nothing was published or changed there.
    expect(rows().filter((x) => x.channel === "production")).toHaveLength(1);
  });

  test("the detail page offers Replay to developers, and shows the recorded result beside the draft's after the POST", async () => {
    const original = await auditedProductionCall();
    const detail = `/admin/acme/shop/audit/${original.id}`;
    const page = async (path: string, who = w.members.developer) => (await req(w.app, path, { headers: { cookie: who.cookie } })).text();
    expect(await page(detail)).toContain("Replay against the draft</button>");
    const res = await postForm(w.app, `${detail}/replay`, { csrf: w.members.developer.csrf }, w.members.developer.cookie);
    expect(res.status).toBe(303);
    const shown = await page(res.headers.get("location")!);
    expect(shown).toContain('aria-label="Recorded result"');
    expect(shown).toMatch(/production v\d+/);
    expect(shown).toContain("fixed in the draft");
    expect(shown).toContain('aria-label="Draft result"');
  });

  test("the management tool portico_replay_call does the same from a host on the draft URL", async () => {
    const original = await auditedProductionCall();
    // Reading the audit log through a key needs `settings` (admins and owners), besides the draft scopes.
    const { key } = await w.apiKey("owner", { channel: "draft", scopes: allowedScopes("owner", "draft") });
    const res = await req(w.app, "/acme/shop/draft", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "portico_replay_call", arguments: { id: original.id } } }),
    });
    const body = (await res.json()) as { result: { isError?: boolean; structuredContent: { original: { id: number }; replay: { result: { structuredContent: unknown } } } } };
    expect(body.result.isError, JSON.stringify(body.result)).toBeFalsy();
    expect(body.result.structuredContent.original.id).toBe(original.id);
    expect(body.result.structuredContent.replay.result.structuredContent).toEqual({ total: 5, note: "fixed in the draft" });
    expect(rows().at(-1)).toMatchObject({ source: "replay", channel: "draft" });
  });

  test("attack: a viewer (who may not use the draft) gets no Replay button, and a forged POST is refused without running anything", async () => {
    const original = await auditedProductionCall();
    const before = rows().length;
    const res = await call(w.app, "POST", `/projects/acme/shop/audit/${original.id}/replay`, { as: w.members.viewer });
    expect(res.status).toBe(403);
    const form = await postForm(w.app, `/admin/acme/shop/audit/${original.id}/replay`, { csrf: w.members.viewer.csrf }, w.members.viewer.cookie);
    expect(form.status).toBe(403);
    expect(rows()).toHaveLength(before);
  });

  test("a call whose input was not stored (payloads off) is explained, not replayed", async () => {
    await updateProject(w.deps.db, w.project.id, { storePayloads: false });
    try {
      const original = await auditedProductionCall();
      const r = await call(w.app, "POST", `/projects/acme/shop/audit/${original.id}/replay`, { as: w.members.developer });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.json)).toContain("input was not stored");
      const form = await postForm(w.app, `/admin/acme/shop/audit/${original.id}/replay`, { csrf: w.members.developer.csrf }, w.members.developer.cookie);
      expect(form.status).toBe(400);
      expect(await form.text()).toContain("input was not stored");
    } finally {
      await updateProject(w.deps.db, w.project.id, { storePayloads: true });
    }
  });
});
