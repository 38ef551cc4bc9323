/** Every service operation declares what the faces rely on (docs/architecture.md: Service layer). */
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { ROLES } from "../../src/db/schema";
import { SCOPES } from "../../src/auth/scopes";
import { READ_ONLY, inputJsonSchema } from "../../src/services/operation";
import { OPERATIONS } from "../../src/services/registry";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";

describe("service operations", () => {
  test("each declares an input schema, a permission rule and an audit event, under a unique name", () => {
    expect(OPERATIONS.length).toBeGreaterThan(0);
    const names = new Set<string>();
    for (const op of OPERATIONS) {
      expect({ op: op.name, ok: /^[a-z]+(\.[a-z-]+)+$/.test(op.name) && !names.has(op.name) }).toEqual({ op: op.name, ok: true });
      names.add(op.name);
      expect(op.input).toBeInstanceOf(z.ZodType);
      expect(inputJsonSchema(op)).toMatchObject({ type: expect.any(String) });
      expect(ROLES).toContain(op.permission.role);
      for (const s of op.permission.scopes) expect(SCOPES).toContain(s);
      expect(op.summary.length).toBeGreaterThan(10);
      expect(op.what.length).toBeGreaterThan(3);
      if (op.audit !== READ_ONLY) expect(op.audit.action).toMatch(/^[a-z_]+\.[a-z_]+$/);
    }
  });
});

describe("audit events record changes, not no-ops", () => {
  const w = seededApp();
  const events = (action: string) => (w.deps.db.$client.query("SELECT count(*) AS n FROM org_audit_events WHERE action = ?").get(action) as { n: number }).n;

  test("a role set to what it was, a key revoked twice and an unchanged visibility add no rows", async () => {
    const role = (r: string) => call(w.app, "PUT", `/orgs/acme/members/${w.members.developer.id}/role`, { as: w.members.owner, body: { role: r } });
    expect((await role("viewer")).status).toBe(200);
    expect((await role("viewer")).status).toBe(200);
    expect(events("member.role")).toBe(1);
    const key = await call(w.app, "POST", "/projects/acme/shop/keys", { as: w.members.owner, body: { name: "ci" } });
    for (let i = 0; i < 2; i++) expect((await call(w.app, "DELETE", `/projects/acme/shop/keys/${key.json.id}`, { as: w.members.owner })).status).toBe(204);
    expect(events("apikey.revoke")).toBe(1);
    const vis = (v: string) => call(w.app, "PUT", "/projects/acme/shop/visibility", { as: w.members.owner, body: { visibility: v } });
    expect((await vis("private")).status).toBe(200);
    expect(events("project.visibility")).toBe(0);
    expect((await vis("public")).status).toBe(200);
    expect(events("project.visibility")).toBe(1);
  });
});
