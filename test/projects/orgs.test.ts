import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { createUser } from "../../src/auth/users";
import { ConflictError, ForbiddenError, ValidationError } from "../../src/errors";
import { addMember, createOrg, listMembers, listOrgsOf, removeMember, roleOf, setRole } from "../../src/projects/orgs";
import { makeApp, type TestApp } from "../helpers";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let t: TestApp;
afterEach(() => t?.close());

const user = async (email: string) => (await createUser(t.deps.db, { email, password: "correct horse battery" }));

describe("organizations and memberships", () => {
  test("the creator becomes owner; members join with one role each", async () => {
    t = await makeApp();
    const [olive, dev] = [await user("olive@example.com"), await user("dev@example.com")];
    const org = await createOrg(t.deps.db, { slug: "acme", name: "Acme" }, olive.id);
    await addMember(t.deps.db, org.id, dev.id, "developer");
    expect((await listMembers(t.deps.db, org.id)).map((m) => [m.email, m.role])).toEqual([
      ["dev@example.com", "developer"],
      ["olive@example.com", "owner"],
    ]);
    expect((await listOrgsOf(t.deps.db, dev.id)).map((o) => o.org.slug)).toEqual(["acme"]);
    await expect(addMember(t.deps.db, org.id, dev.id, "viewer")).rejects.toThrow(ConflictError);
  });

  test("a duplicate slug and a reserved slug are refused with a clear message", async () => {
    t = await makeApp();
    await createOrg(t.deps.db, { slug: "acme" });
    await expect(createOrg(t.deps.db, { slug: "acme" })).rejects.toThrow('An organization with the slug "acme" already exists.');
    await expect(createOrg(t.deps.db, { slug: "admin" })).rejects.toThrow("reserved by Portico");
    await expect(createOrg(t.deps.db, { slug: "Not A Slug" })).rejects.toThrow(ValidationError);
  });

  test("roles change; the last owner can be neither demoted nor removed", async () => {
    t = await makeApp();
    const [olive, dev] = [await user("olive@example.com"), await user("dev@example.com")];
    const org = await createOrg(t.deps.db, { slug: "acme" }, olive.id);
    await addMember(t.deps.db, org.id, dev.id, "viewer");
    expect(await setRole(t.deps.db, org.id, dev.id, "admin")).toBe("viewer");
    expect(await roleOf(t.deps.db, org.id, dev.id)).toBe("admin");
    await expect(setRole(t.deps.db, org.id, olive.id, "admin")).rejects.toThrow(ForbiddenError);
    await expect(removeMember(t.deps.db, org.id, olive.id)).rejects.toThrow(ForbiddenError);
    // With a second owner, the first may step down.
    await setRole(t.deps.db, org.id, dev.id, "owner");
    await setRole(t.deps.db, org.id, olive.id, "developer");
    expect(await removeMember(t.deps.db, org.id, olive.id)).toBe("developer");
    expect(await roleOf(t.deps.db, org.id, olive.id)).toBeNull();
  });
});
