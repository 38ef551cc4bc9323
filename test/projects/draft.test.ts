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
    createDraftTool(t.deps, projectId, SCRIPT);
    updateDraftTool(t.deps, projectId, "lookup", { description: "Better" });
    setInstructions(t.deps, projectId, "Be brief.");
    savePrompt(t.deps, projectId, { name: "sum", template: "Sum {{x}}" });
    deletePrompt(t.deps, projectId, "sum");
    deleteDraftTool(t.deps, projectId, "lookup");
    expect(events).toEqual(Array(6).fill({ projectId, channel: "draft" }));
  });

  test("a tool whose inputSchema is not valid JSON Schema is refused with a readable error", async () => {
    const { projectId } = await setup();
    expect(() => createDraftTool(t.deps, projectId, { ...SCRIPT, inputSchema: { type: "object", properties: { q: { type: "strang" } } } })).toThrow(
      /inputSchema: not a valid JSON Schema: .*properties/,
    );
    expect(() => createDraftTool(t.deps, projectId, { ...SCRIPT, name: "portico_x" })).toThrow(/reserved/);
    expect(() => createDraftTool(t.deps, projectId, { ...SCRIPT, kind: "script", script: "" })).toThrow(/script/);
  });

  test("a name can change until it has been published, then never", async () => {
    const { projectId } = await setup();
    createDraftTool(t.deps, projectId, SCRIPT);
    updateDraftTool(t.deps, projectId, "lookup", { name: "find" });
    expect(getDraftTool(t.deps, projectId, "find").description).toBe("Looks up");
    // The tool declares API_KEY with no production value: publishing it needs a confirmation (issue 11 #1).
    publish(t.deps, projectId, null, undefined, { confirmMissingSecrets: true });
    expect(() => updateDraftTool(t.deps, projectId, "find", { name: "search" })).toThrow(/published, so its name cannot change/);
    expect(() => createDraftTool(t.deps, projectId, { ...SCRIPT, name: "find" })).toThrow(/already exists/);
  });

  test("import replaces the draft in one go and reports a diff; export lists secret names only", async () => {
    const { projectId } = await setup();
    createDraftTool(t.deps, projectId, SCRIPT);
    createDraftTool(t.deps, projectId, { ...SCRIPT, name: "old" });
    const manifest = {
      instructions: "Use lookup.",
      tools: [{ ...SCRIPT, description: "Changed" }, { name: "show", kind: "interactive", html: "<p>hi</p>" }],
      prompts: [{ name: "ask", arguments: [{ name: "topic", required: true }], template: "Tell me about {{topic}}" }],
    };
    const diff = importManifest(t.deps, projectId, manifest);
    expect(diff).toEqual({
      tools: { added: ["show"], removed: ["old"], changed: ["lookup"] },
      prompts: { added: ["ask"], removed: [], changed: [] },
      instructionsChanged: true,
      details: { tools: { lookup: ["description"] }, prompts: {} },
    });
    const out = exportManifest(t.deps, projectId);
    expect(out.tools.map((x) => x.name)).toEqual(["lookup", "show"]);
    expect(out.tools[0]).toMatchObject({ secrets: ["API_KEY"] });
    expect(out.instructions).toBe("Use lookup.");
    expect(listPrompts(t.deps, projectId)[0]!.name).toBe("ask");
    expect(importManifest(t.deps, projectId, out).tools).toEqual({ added: [], removed: [], changed: [] });
  });

  test("a bad tool in an import changes nothing and names its position", async () => {
    const { projectId } = await setup();
    createDraftTool(t.deps, projectId, SCRIPT);
    const bad = { tools: [SCRIPT, { ...SCRIPT, name: "two", inputSchema: { type: "object", required: "q" } }] };
    expect(() => importManifest(t.deps, projectId, bad)).toThrow(/tools\.1\.inputSchema/);
    expect(exportManifest(t.deps, projectId).tools.map((x) => x.name)).toEqual(["lookup"]);
    expect(getProjectById(t.deps.db, projectId).instructions).toBe("");
  });
});
