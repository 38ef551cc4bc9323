import { afterEach, describe, expect, test } from "bun:test";
import type { Channel } from "../../src/db/schema";
import {
  createDraftTool, deleteDraftTool, deletePrompt, exportManifest, getDraftTool, importManifest, listPrompts, savePrompt,
  setInstructions, updateDraftTool,
} from "../../src/projects/draft";
import { getProjectById } from "../../src/projects/projects";
import { seedWorld } from "../fixtures/world";
import { publish } from "../../src/projects/publish";
import { makeApp, type TestApp } from "../helpers";

let t: TestApp;
afterEach(() => t?.close());

async function setup() {
  t = await makeApp();
  const { project } = await seedWorld(t.deps, { sessions: false });
  const events: Array<{ projectId: string; channel: Channel }> = [];
  t.deps.bus.on("toolsChanged", (e) => events.push(e));
  return { projectId: project.id, events };
}

const SCRIPT = {
  name: "lookup", kind: "script", description: "Looks up", script: "export default (i) => i", secrets: ["API_KEY"],
  inputSchema: { type: "object", properties: { q: { type: "string" } } },
};

describe("draft tools", () => {
  test("every change emits toolsChanged for the draft channel", async () => {
    const { projectId, events } = await setup();
    await createDraftTool(t.deps, projectId, SCRIPT);
    await updateDraftTool(t.deps, projectId, "lookup", { description: "Better" });
    await setInstructions(t.deps, projectId, "Be brief.");
    await savePrompt(t.deps, projectId, { name: "sum", template: "Sum {{x}}" });
    await deletePrompt(t.deps, projectId, "sum");
    await deleteDraftTool(t.deps, projectId, "lookup");
    expect(events).toEqual(Array(6).fill({ projectId, channel: "draft" }));
  });

  test("a tool whose inputSchema is not valid JSON Schema is refused with a readable error", async () => {
    const { projectId } = await setup();
    await expect(createDraftTool(t.deps, projectId, { ...SCRIPT, inputSchema: { type: "object", properties: { q: { type: "strang" } } } })).rejects.toThrow(
      /inputSchema: not a valid JSON Schema: .*properties/,
    );
    await expect(createDraftTool(t.deps, projectId, { ...SCRIPT, name: "portico_x" })).rejects.toThrow(/reserved/);
    await expect(createDraftTool(t.deps, projectId, { ...SCRIPT, kind: "script", script: "" })).rejects.toThrow(/script/);
  });

  test("a name can change until it has been published, then never", async () => {
    const { projectId } = await setup();
    await createDraftTool(t.deps, projectId, SCRIPT);
    await updateDraftTool(t.deps, projectId, "lookup", { name: "find" });
    expect((await getDraftTool(t.deps, projectId, "find")).description).toBe("Looks up");
    // The tool declares API_KEY with no production value: publishing it needs a confirmation (issue 11 #1).
    await publish(t.deps, projectId, null, undefined, { confirmMissingSecrets: true });
    await expect(updateDraftTool(t.deps, projectId, "find", { name: "search" })).rejects.toThrow(/published, so its name cannot change/);
    await expect(createDraftTool(t.deps, projectId, { ...SCRIPT, name: "find" })).rejects.toThrow(/already exists/);
  });

  test("import replaces the draft in one go and reports a diff; export lists secret names only", async () => {
    const { projectId } = await setup();
    await createDraftTool(t.deps, projectId, SCRIPT);
    await createDraftTool(t.deps, projectId, { ...SCRIPT, name: "old" });
    const manifest = {
      instructions: "Use lookup.",
      tools: [{ ...SCRIPT, description: "Changed" }, { name: "show", kind: "interactive", html: "<p>hi</p>" }],
      prompts: [{ name: "ask", arguments: [{ name: "topic", required: true }], template: "Tell me about {{topic}}" }],
    };
    const diff = await importManifest(t.deps, projectId, manifest);
    expect(diff).toEqual({
      tools: { added: ["show"], removed: ["old"], changed: ["lookup"] },
      prompts: { added: ["ask"], removed: [], changed: [] },
      instructionsChanged: true,
      details: { tools: { lookup: ["description"] }, prompts: {} },
    });
    const out = await exportManifest(t.deps, projectId);
    expect(out.tools.map((x) => x.name)).toEqual(["lookup", "show"]);
    expect(out.tools[0]).toMatchObject({ secrets: ["API_KEY"] });
    expect(out.instructions).toBe("Use lookup.");
    expect((await listPrompts(t.deps, projectId))[0]!.name).toBe("ask");
    expect((await importManifest(t.deps, projectId, out)).tools).toEqual({ added: [], removed: [], changed: [] });
  });

  test("a bad tool in an import changes nothing and names its position", async () => {
    const { projectId } = await setup();
    await createDraftTool(t.deps, projectId, SCRIPT);
    const bad = { tools: [SCRIPT, { ...SCRIPT, name: "two", inputSchema: { type: "object", required: "q" } }] };
    await expect(importManifest(t.deps, projectId, bad)).rejects.toThrow(/tools\.1\.inputSchema/);
    expect((await exportManifest(t.deps, projectId)).tools.map((x) => x.name)).toEqual(["lookup"]);
    expect((await getProjectById(t.deps.db, projectId)).instructions).toBe("");
  });
});
