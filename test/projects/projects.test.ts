import { afterEach, describe, expect, test } from "bun:test";
import { ConflictError } from "../../src/errors";
import { createOrg } from "../../src/projects/orgs";
import { channelUrl, createProject, findProject, getProject } from "../../src/projects/projects";
import { makeApp, type TestApp } from "../helpers";

let t: TestApp;
afterEach(() => t?.close());

describe("projects", () => {
  test("a project is found by org/slug; the same slug may exist in another org but not twice in one", async () => {
    t = await makeApp();
    const acme = await createOrg(t.deps.db, { slug: "acme" });
    const beta = await createOrg(t.deps.db, { slug: "beta" });
    const shop = await createProject(t.deps.db, acme.id, { slug: "shop", name: "Shop" });
    await createProject(t.deps.db, beta.id, { slug: "shop" });
    expect((await findProject(t.deps.db, "acme", "shop"))?.project.id).toBe(shop.id);
    expect(await findProject(t.deps.db, "acme", "nope")).toBeNull();
    await expect(getProject(t.deps.db, "acme", "nope")).rejects.toThrow('No project "acme/nope".');
    await expect(createProject(t.deps.db, acme.id, { slug: "shop" })).rejects.toThrow(ConflictError);
    await expect(createProject(t.deps.db, acme.id, { slug: "draft" })).rejects.toThrow("reserved");
  });

  test("channel URLs are built from the public URL only", () => {
    expect(channelUrl("https://p.example.com", "acme", "shop", "production")).toBe("https://p.example.com/acme/shop");
    expect(channelUrl("https://p.example.com", "acme", "shop", "draft")).toBe("https://p.example.com/acme/shop/draft");
  });
});
