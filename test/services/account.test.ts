/** Your own display name (services/account.ts): trimmed, 1–100 characters, only your own row changes. */
import { describe, expect, test } from "bun:test";
import { seededApp } from "../admin/fixtures";
import { getUser } from "../../src/auth/users";
import { renameSelf } from "../../src/services/account";
import { ValidationError } from "../../src/errors";

const w = seededApp();

describe("renameSelf", () => {
  test("saves the trimmed name on the user's own row only", async () => {
    const me = w.members.developer;
    const saved = await renameSelf(w.deps, me.id, { name: "  Dee Veloper  " });
    expect(saved.name).toBe("Dee Veloper");
    expect((await getUser(w.deps.db, me.id)).name).toBe("Dee Veloper");
    expect((await getUser(w.deps.db, w.members.viewer.id)).name).toBe("viewer");
  });

  test("refuses an empty (or blank) name and one over 100 characters, naming the field", async () => {
    const me = w.members.viewer;
    for (const name of ["", "   ", "x".repeat(101)]) {
      const err = await renameSelf(w.deps, me.id, { name }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details).toEqual([expect.objectContaining({ field: "name" })]);
    }
    expect((await renameSelf(w.deps, me.id, { name: "x".repeat(100) })).name).toHaveLength(100);
  });
});
