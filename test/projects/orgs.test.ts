import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { createUser } from "../../src/auth/users";
import { ConflictError, ForbiddenError, ValidationError } from "../../src/errors";
import { addMember, createOrg, listMembers, listOrgsOf, removeMember, roleOf, setRole } from "../../src/projects/orgs";
import { makeApp, type TestApp } from "../helpers";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let t: TestApp;
afterEach(() => t?.close());

const user = (email: string) => createUser(t.deps.db, { email, password: "correct horse battery" });

describe("organizations and memberships", () => {
  test("the creator becomes owner; members join with one role each", async () => {
    t = await makeApp();
    const [olive, dev] = [await user("olive@example.com"), await user("dev@example.com")];
    const org = createOrg(t.deps.db, { slug: "acme", name: "Acme" }, olive.id);
    addMember(t.deps.db, org.id, dev.id, "developer");
    expect(listMembers(t.deps.db, org.id).map((m) => [m.email, m.role])).toEqual([
      ["dev@example.com", "developer"],
      ["olive@example.com", "owner"],
    ]);
    expect(listOrgsOf(t.deps.db, dev.id).map((o) => o.org.slug)).toEqual(["acme"]);
    expect(() => addMember(t.deps.db, org.id, dev.id, "viewer")).toThrow(ConflictError);
  });

  test("a duplicate slug and a reserved slug are refused with a clear message", async () => {
    t = await makeApp();
    createOrg(t.deps.db, { slug: "acme" });
    expect(() => createOrg(t.deps.db, { slug: "acme" })).toThrow('An organization with the slug "acme" already exists.');
    expect(() => createOrg(t.deps.db, { slug: "admin" })).toThrow("reserved by Portico");
    expect(() => createOrg(t.deps.db, { slug: "Not A Slug" })).toThrow(ValidationError);
  });

  test("roles change; the last owner can be neither demoted nor removed", async () => {
    t = await makeApp();
    const [olive, dev] = [await user("olive@example.com"), await user("dev@example.com")];
    const org = createOrg(t.deps.db, { slug: "acme" }, olive.id);
    addMember(t.deps.db, org.id, dev.id, "viewer");
    expect(setRole(t.deps.db, org.id, dev.id, "admin")).toBe("viewer");
    expect(roleOf(t.deps.db, org.id, dev.id)).toBe("admin");
    expect(() => setRole(t.deps.db, org.id, olive.id, "admin")).toThrow(ForbiddenError);
    expect(() => removeMember(t.deps.db, org.id, olive.id)).toThrow(ForbiddenError);
    // With a second owner, the first may step down.
    setRole(t.deps.db, org.id, dev.id, "owner");
    setRole(t.deps.db, org.id, olive.id, "developer");
    expect(removeMember(t.deps.db, org.id, olive.id)).toBe("developer");
    expect(roleOf(t.deps.db, org.id, olive.id)).toBeNull();
  });
});
