/** Every service operation declares what the faces rely on (docs/architecture.md: Service layer). */
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { ROLES } from "../../src/db/schema";
import { SCOPES } from "../../src/auth/scopes";
import { READ_ONLY, inputJsonSchema } from "../../src/services/operation";
import { OPERATIONS } from "../../src/services/registry";

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
