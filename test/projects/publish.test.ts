import { afterEach, describe, expect, test } from "bun:test";
import { listOrgEvents } from "../../src/audit/org-audit";
import type { Channel } from "../../src/db/schema";
import { createDraftTool, deleteDraftTool, updateDraftTool } from "../../src/projects/draft";
import { getProjectById } from "../../src/projects/projects";
import { seedWorld } from "../fixtures/world";
import { getVersion, listReleases, listVersions, publish, rollback } from "../../src/projects/publish";
import { makeApp, type TestApp } from "../helpers";

let t: TestApp;
afterEach(() => t?.close());

const SHOW = { name: "show", kind: "interactive", description: "Shows", html: "<p>v1</p>" };

describe("publish and rollback", () => {
  test("publish snapshots the whole draft (with UI HTML) as numbered immutable versions with diffs", async () => {
    t = await makeApp();
    const { org, project: { id: projectId } } = await seedWorld(t.deps, { sessions: false });
    const events: Array<{ projectId: string; channel: Channel }> = [];
    t.deps.bus.on("toolsChanged", (e) => events.push(e));
    await createDraftTool(t.deps, projectId, SHOW);
    const v1 = await publish(t.deps, projectId, "usr_a", "first");
    expect(v1.number).toBe(1);
    expect(v1.diff.tools).toEqual({ added: ["show"], removed: [], changed: [] });
    expect(events.at(-1)).toEqual({ projectId, channel: "production" });
    expect((await getProjectById(t.deps.db, projectId)).productionVersionId).toBe(v1.versionId);

    await updateDraftTool(t.deps, projectId, "show", { html: "<p>v2</p>" });
    await createDraftTool(t.deps, projectId, { ...SHOW, name: "other" });
    const v2 = await publish(t.deps, projectId, "usr_b");
    expect(v2.diff.tools).toEqual({ added: ["other"], removed: [], changed: ["show"] });
    // Editing the draft afterwards never touches a published snapshot.
    await deleteDraftTool(t.deps, projectId, "other");
    expect((await getVersion(t.deps, v1.versionId))!.snapshot.tools).toEqual([expect.objectContaining({ name: "show", html: "<p>v1</p>" })]);
    expect((await getVersion(t.deps, v2.versionId))!.snapshot.tools.map((x) => x.name)).toEqual(["show", "other"]);

    await rollback(t.deps, projectId, 1, "usr_c");
    expect((await getProjectById(t.deps.db, projectId)).productionVersionId).toBe(v1.versionId);
    expect((await listVersions(t.deps, projectId)).map((v) => [v.number, v.live, v.authorId])).toEqual([[2, false, "usr_b"], [1, true, "usr_a"]]);
    expect((await listReleases(t.deps, projectId)).map((r) => [r.action, r.number, r.actorId])).toEqual([
      ["rollback", 1, "usr_c"], ["publish", 2, "usr_b"], ["publish", 1, "usr_a"],
    ]);
    expect((await listOrgEvents(t.deps.db, org.id)).map((e) => e.action)).toEqual(["project.rollback", "project.publish", "project.publish"]);
    await expect(rollback(t.deps, projectId, 9, null)).rejects.toThrow(/no version 9/);
  });
});
