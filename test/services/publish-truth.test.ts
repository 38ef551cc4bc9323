/**
 * Issue 16 #5, publish tells the truth: an unchanged draft is refused (no empty version), the pending diff
 * is against what production serves — after a rollback that is not the newest version, so the draft is
 * ahead and may be published — and a diff names what changed in each tool and prompt.
 */
import { describe, expect, test } from "bun:test";
import { createDraftTool, savePrompt, updateDraftTool } from "../../src/projects/draft";
import { createProject } from "../../src/projects/projects";
import { listVersions } from "../../src/projects/publish";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";

const LOOKUP = {
  name: "lookup", kind: "script", description: "Looks things up.",
  inputSchema: { type: "object", properties: { q: { type: "string" } } },
  script: "export default async (i) => ({ q: i.q })",
};

describe("publish tells the truth", () => {
  const w = seededApp();
  const P = "/projects/acme/truthful";
  let projectId = "";
  const view = async () => (await call(w.app, "GET", `${P}/versions`, { as: w.members.admin })).json;
  const publishNow = () => call(w.app, "POST", `${P}/publish`, { as: w.members.admin, body: {} });

  test("an unchanged draft is refused with a clear message and no empty version is made", async () => {
    projectId = (await createProject(w.deps.db, w.org.id, { slug: "truthful", name: "Truthful" }, w.deps.clock.now())).id;
    await createDraftTool(w.deps, projectId, LOOKUP);
    expect((await publishNow()).status).toBe(201);
    expect(await view()).toMatchObject({ unpublishedChanges: false, serving: 1, newest: 1 });
    const again = await publishNow();
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe("Nothing to publish: the draft matches version 1, which production serves.");
    expect((await listVersions(w.deps, projectId)).map((v) => v.number)).toEqual([1]);
  });

  test("the diff names the changed parts of each tool, the prompts and the instructions", async () => {
    await updateDraftTool(w.deps, projectId, "lookup", { description: "Finds things.", inputSchema: { type: "object", properties: { q: { type: "string", minLength: 1 } } } });
    await savePrompt(w.deps, projectId, { name: "ask", template: "Ask about {{x}}" });
    await call(w.app, "PUT", `${P}/instructions`, { as: w.members.developer, body: { instructions: "Use lookup first." } });
    const pending = (await view()).pending;
    expect(pending).toMatchObject({
      tools: { added: [], removed: [], changed: ["lookup"] },
      prompts: { added: ["ask"], removed: [], changed: [] },
      instructionsChanged: true,
      details: { tools: { lookup: ["description", "input schema"] }, prompts: {} },
    });
    const v2 = await publishNow();
    expect(v2.json).toMatchObject({ number: 2, diff: { instructionsChanged: true, details: { tools: { lookup: ["description", "input schema"] } } } });
    await savePrompt(w.deps, projectId, { name: "ask", template: "Ask me about {{x}}" });
    await updateDraftTool(w.deps, projectId, "lookup", { script: "export default async () => ({})" });
    expect((await view()).pending.details).toEqual({ tools: { lookup: ["code"] }, prompts: { ask: ["template"] } });
    expect((await publishNow()).json.number).toBe(3);
  });

  test("after a rollback production serves the older version, the draft is ahead, and publishing is allowed", async () => {
    const back = await call(w.app, "POST", `${P}/rollback`, { as: w.members.admin, body: { number: 1 } });
    expect(back.json).toMatchObject({ number: 1 });
    const after = await view();
    expect(after).toMatchObject({ unpublishedChanges: true, serving: 1, newest: 3 });
    expect(after.pending.tools.changed).toEqual(["lookup"]);
    const v4 = await publishNow();
    expect(v4.status).toBe(201);
    // The new version's diff is against v1, which production served, not against v3.
    expect(v4.json).toMatchObject({ number: 4, diff: { prompts: { added: ["ask"] }, instructionsChanged: true } });
    expect(await view()).toMatchObject({ unpublishedChanges: false, serving: 4, newest: 4 });
  });
});
