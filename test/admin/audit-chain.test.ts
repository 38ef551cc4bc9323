/**
 * The audit pages' Tamper evidence card and its API (issue 18; src/services/audit-chain.ts): the chain's head to
 * note down, "Verify the chain" naming the first broken row, and (admins) a signed statement of the head that
 * `checkSignedHead` — what `portico audit verify --statement` runs — accepts.
 */
import { describe, expect, test } from "bun:test";
import { checkSignedHead, type SignedHead } from "../../src/audit/signing";
import type { AuditRow } from "../../src/audit/writer";
import { seededApp } from "./fixtures";
import { call } from "../api/client";
import { postForm, req } from "../helpers";

const row = (projectId: string, i: number): AuditRow => ({
  projectId, time: Date.now(), channel: "production", principal: "apikey", userId: null, grantId: null, clientId: null, apiKeyId: "key_1",
  sessionId: null, method: "tools/call", tool: "echo", version: 1, input: `{"n":${i}}`, output: `{"echo":${i}}`, status: "ok",
  errorClass: null, error: null, logs: null, durationMs: 2, host: "test", ip: "127.0.0.1", protocolVersion: null, traceparent: null,
});

describe("tamper evidence on the audit pages", () => {
  const w = seededApp();
  const page = async (path: string, who = w.members.developer) => (await req(w.app, path, { headers: { cookie: who.cookie } })).text();
  const verify = async (path: string, who = w.members.developer) => {
    const res = await postForm(w.app, path, { csrf: who.csrf }, who.cookie);
    expect(res.status).toBe(303);
    return page(res.headers.get("location")!, who);
  };

  test("a developer sees the head, verifies the chain and is told it is intact; only admins get the signed statement", async () => {
    for (let i = 0; i < 12; i++) w.deps.audit.record(row(w.project.id, i));
    await w.deps.audit.flush();
    const before = await page("/admin/acme/shop/audit");
    expect(before).toContain("Tamper evidence");
    expect(before).toMatch(/Head: position <strong>12<\/strong>, hash <code class="chain-hash">[0-9a-f]{64}<\/code>/);
    expect(before).not.toContain("Download signed statement");
    const after = await verify("/admin/acme/shop/audit/verify");
    expect(after).toContain('<span class="badge ok">intact</span> 12 row(s) recomputed');
    expect(await page("/admin/acme/shop/audit", w.members.admin)).toContain("Download signed statement");
    const res = await req(w.app, "/admin/acme/shop/audit/statement.json", { headers: { cookie: w.members.admin.cookie } });
    expect(res.headers.get("content-disposition")).toContain('attachment; filename="audit-head-acme-shop-12.json"');
    const signed = (await res.json()) as SignedHead;
    expect(signed.statement).toMatchObject({ kind: "project", name: "acme/shop", seq: 12 });
    expect(await checkSignedHead(w.deps.db, signed)).toMatchObject({ ok: true, signature: "valid", position: "matches" });
    expect((await req(w.app, "/admin/acme/shop/audit/statement.json", { headers: { cookie: w.members.developer.cookie } })).status).toBe(403);
  });

  test("attack: a row edited behind Portico's back — Verify names it on the page and in the API", async () => {
    const [target] = w.deps.db.$client.query("SELECT id FROM audit_events WHERE project_id = ? AND chain_seq = 5").all(w.project.id) as { id: number }[];
    w.deps.db.$client.run(`UPDATE audit_events SET output = '{"echo":"forged"}' WHERE id = ?`, [target!.id]);
    const shown = await verify("/admin/acme/shop/audit/verify");
    expect(shown).toContain('<span class="badge err">broken</span>');
    expect(shown).toContain(`row ${target!.id} was edited`);
    const api = await call(w.app, "GET", "/projects/acme/shop/audit/chain?verify=true", { as: w.members.developer });
    expect(api.status).toBe(200);
    expect(api.json.verification).toMatchObject({ ok: false, problem: { kind: "edited", rowId: target!.id } });
    expect((await call(w.app, "GET", "/projects/acme/shop/audit/chain/statement", { as: w.members.developer })).status).toBe(403);
  });

  test("the org audit page has its own chain of org events, verified and signed the same way", async () => {
    const shown = await verify("/admin/acme/settings/audit/verify", w.members.admin);
    expect(shown).toContain('<span class="badge ok">intact</span>');
    const api = await call(w.app, "GET", "/orgs/acme/audit/chain/statement", { as: w.members.admin });
    expect(api.status).toBe(200);
    expect(api.json.statement).toMatchObject({ kind: "org", name: "acme" });
    expect(await checkSignedHead(w.deps.db, api.json as SignedHead)).toMatchObject({ ok: true });
  });
});
