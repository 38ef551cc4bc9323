/**
 * Issue 11 #13: viewers read unpublished drafts through the JSON API (`/tools/{name}`, `/manifest`) and the
 * settings pages while the draft MCP channel requires developer. Decision: viewers see the production
 * version on every face; draft views need developer.
 */
import { describe, expect, test } from "bun:test";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";
import { req } from "../helpers";
import { createDraftTool, savePrompt, updateDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";

const w = seededApp();
const P = "/projects/acme/shop";
const DRAFT_ONLY = "unreleased-pricing-4471";
const LIVE = "live-v1-text";

const page = async (path: string) => {
  const res = await req(w.app, path, { headers: { cookie: w.members.viewer.cookie } });
  return { status: res.status, text: await res.text() };
};

describe("attack: viewers reading the draft", () => {
  test("attack: before any publish, a viewer cannot read draft tool source, prompts or the manifest via the API", async () => {
    await createDraftTool(w.deps, w.project.id, { name: "quote", kind: "script", description: "Quotes", inputSchema: { type: "object" }, script: `export default () => "${DRAFT_ONLY}"` });
    await savePrompt(w.deps, w.project.id, { name: "pitch", description: "d", template: `Pitch ${DRAFT_ONLY}` });
    const viewer = w.members.viewer;
    for (const path of [`${P}/tools/quote`, `${P}/tools`, `${P}/manifest`, `${P}/prompts`, `${P}/versions`]) {
      const r = await call(w.app, "GET", path, { as: viewer });
      expect({ path, leaked: JSON.stringify(r.json).includes(DRAFT_ONLY) || JSON.stringify(r.json).includes("quote") }).toEqual({ path, leaked: false });
      expect(r.status).toBeLessThan(500);
    }
    const one = await call(w.app, "GET", `${P}/tools/quote`, { as: viewer });
    expect(one.status).toBe(404);
    expect(one.json.error.message).toContain("published");
    // A developer still reads the draft.
    expect(JSON.stringify((await call(w.app, "GET", `${P}/tools/quote`, { as: w.members.developer })).json)).toContain(DRAFT_ONLY);
  });

  test("attack: after a publish, a viewer gets the published version, not later draft edits (API)", async () => {
    await updateDraftTool(w.deps, w.project.id, "quote", { script: `export default () => "${LIVE}"` });
    await savePrompt(w.deps, w.project.id, { name: "pitch", description: "d", template: `Pitch ${LIVE}` });
    await publish(w.deps, w.project.id, null);
    await updateDraftTool(w.deps, w.project.id, "quote", { script: `export default () => "${DRAFT_ONLY}"` });
    await savePrompt(w.deps, w.project.id, { name: "pitch", description: "d", template: `Pitch ${DRAFT_ONLY}` });
    const tool = await call(w.app, "GET", `${P}/tools/quote`, { as: w.members.viewer });
    expect(tool.status).toBe(200);
    expect(tool.json.script).toContain(LIVE);
    expect(JSON.stringify(tool.json)).not.toContain(DRAFT_ONLY);
    const manifest = await call(w.app, "GET", `${P}/manifest`, { as: w.members.viewer });
    expect(JSON.stringify(manifest.json)).toContain(LIVE);
    expect(JSON.stringify(manifest.json)).not.toContain(DRAFT_ONLY);
    const prompts = await call(w.app, "GET", `${P}/prompts`, { as: w.members.viewer });
    expect(JSON.stringify(prompts.json)).toContain(LIVE);
    expect(JSON.stringify(prompts.json)).not.toContain(DRAFT_ONLY);
  });

  test("attack: a viewer cannot read draft tool source, the manifest export or an unpublished preview on the pages", async () => {
    await createDraftTool(w.deps, w.project.id, { name: "card", kind: "interactive", description: "Card", inputSchema: { type: "object" }, html: `<p>${DRAFT_ONLY}</p>` });
    for (const path of ["/admin/acme/shop/tools", "/admin/acme/shop/tools/quote", "/admin/acme/shop/tools/card", "/admin/acme/shop/tools/card/preview", "/admin/acme/shop/manifest.json", "/admin/acme/shop/publish", "/admin/acme/shop/prompts/pitch"]) {
      const r = await page(path);
      expect({ path, leaked: r.text.includes(DRAFT_ONLY) }).toEqual({ path, leaked: false });
      expect(r.status).toBeLessThan(500);
    }
    expect((await page("/admin/acme/shop/tools/card/preview")).status).toBe(404);
    expect((await page("/admin/acme/shop/tools/quote")).text).toContain(LIVE);
  });
});
