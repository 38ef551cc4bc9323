/** The tool editor page: kind-specific fields, readable validation messages, write-only secrets, preview isolation. */
import { describe, expect, test } from "bun:test";
import { postForm, req } from "../helpers";
import { seededApp } from "./fixtures";
import { exportManifest, importManifest } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";

const w = seededApp();
const SECRET = "sk-live-do-not-leak-4711";


const base = { kind: "http", name: "lookup", description: "Looks things up", inputSchema: '{"type":"object","properties":{"q":{"type":"string"}}}', url: "https://api.example.com/lookup", headers: '{"Authorization":"Bearer {{secrets.API_KEY}}"}', allowedDomains: "api.example.com", secrets: "API_KEY" };

describe("tool editor", () => {
  test("each kind shows its own fields", async () => {
    const fields = { interactive: 'name="html"', script: 'name="script"', http: 'name="url"' };
    for (const [kind, field] of Object.entries(fields)) {
      const body = await (await req(w.app, `/admin/acme/shop/tools/new?kind=${kind}`, { headers: { cookie: w.members.developer.cookie } })).text();
      expect(body).toContain(field);
      for (const other of Object.values(fields).filter((f) => f !== field)) expect(body).not.toContain(other);
    }
  });

  test("a refused save re-shows the form with the reason and the typed values, but never a secret", async () => {
    const dev = w.members.developer;
    const res = await postForm(w.app, "/admin/acme/shop/tools/new", { ...base, csrf: dev.csrf, url: "not a url", "secret.draft.API_KEY": SECRET }, dev.cookie);
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("url:");
    expect(body).toContain('value="lookup"');
    expect(body).not.toContain(SECRET);
    const json = await postForm(w.app, "/admin/acme/shop/tools/new", { ...base, csrf: dev.csrf, headers: "{oops" }, dev.cookie);
    expect(json.status).toBe(400);
    const jsonBody = await json.text();
    expect(jsonBody).toContain("headers: not valid JSON");
    // The message also sits beside the field it is about.
    expect(jsonBody).toMatch(/name="headers"[^>]*aria-invalid="true"/);
    expect(jsonBody).toContain('<div class="field-error" id="e-headers">not valid JSON');
  });

  test("secret values are saved write-only, per channel: the page shows only that a value is set", async () => {
    const dev = w.members.developer;
    const created = await postForm(w.app, "/admin/acme/shop/tools/new", { ...base, csrf: dev.csrf }, dev.cookie);
    expect(created.status).toBe(303);
    let page = await (await req(w.app, "/admin/acme/shop/tools/lookup", { headers: { cookie: dev.cookie } })).text();
    // Issue 11 #1: a developer types draft values; the production field is shown disabled, for admins only.
    expect(page).toContain('name="secret.draft.API_KEY"');
    expect(page).not.toContain('name="secret.production.API_KEY"');
    expect(page).toContain("only admins and owners set production values");
    expect(page).toContain("not set");
    const saved = await postForm(w.app, "/admin/acme/shop/tools/lookup", { ...base, csrf: dev.csrf, "secret.draft.API_KEY": SECRET }, dev.cookie);
    expect(saved.status).toBe(303);
    expect(await w.deps.tools.secrets.loadSecrets(w.project.id, "lookup", "draft")).toEqual({ API_KEY: SECRET });
    expect(await w.deps.tools.secrets.loadSecrets(w.project.id, "lookup", "production")).toEqual({});
    page = await (await req(w.app, "/admin/acme/shop/tools/lookup", { headers: { cookie: dev.cookie } })).text();
    expect(page).toContain("leave empty to keep the saved value");
    expect(page).not.toContain(SECRET);
    // Saving again with the field left empty keeps the value.
    await postForm(w.app, "/admin/acme/shop/tools/lookup", { ...base, csrf: dev.csrf, description: "changed" }, dev.cookie);
    expect(await w.deps.tools.secrets.loadSecrets(w.project.id, "lookup", "draft")).toEqual({ API_KEY: SECRET });
    expect(w.logs.text).not.toContain(SECRET);
    const manifest = await req(w.app, "/api/v1/projects/acme/shop/manifest", { headers: { cookie: dev.cookie } });
    expect(await manifest.text()).not.toContain(SECRET);
  });

  test("the interactive preview is a sandboxed srcdoc frame without same-origin", async () => {
    const dev = w.members.developer;
    const html = `<p>hi</p><script>alert(document.cookie)</script>`;
    await postForm(w.app, "/admin/acme/shop/tools/new", { kind: "interactive", name: "card", inputSchema: '{"type":"object"}', html, csrf: dev.csrf }, dev.cookie);
    const editor = await (await req(w.app, "/admin/acme/shop/tools/card", { headers: { cookie: dev.cookie } })).text();
    expect(editor).toContain('src="/admin/acme/shop/tools/card/preview"');
    expect(editor).not.toContain("<script>alert");
    const res = await req(w.app, "/admin/acme/shop/tools/card/preview", { headers: { cookie: dev.cookie } });
    const preview = await res.text();
    expect(preview).toContain('sandbox="allow-scripts" srcdoc="&lt;p&gt;hi&lt;/p&gt;&lt;script&gt;alert(document.cookie)&lt;/script&gt;"');
    expect(preview).not.toContain("allow-same-origin");
    expect(preview).not.toContain('name="csrf"');
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'self'");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    // Every other page keeps inline scripts off.
    const tools = await req(w.app, "/admin/acme/shop/tools", { headers: { cookie: dev.cookie } });
    expect(tools.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect((await req(w.app, "/admin/acme/shop/tools/lookup/preview", { headers: { cookie: dev.cookie } })).status).toBe(404);
  });
});

describe("manifest on the Tools page", () => {
  test("export downloads the draft; import replaces it and shows what changed", async () => {
    const dev = w.members.developer;
    const res = await req(w.app, "/admin/acme/shop/manifest.json", { headers: { cookie: dev.cookie } });
    expect(res.headers.get("content-disposition")).toContain('filename="acme-shop.portico.json"');
    const manifest = (await res.json()) as { tools: Array<{ name: string }> };
    expect(manifest.tools.map((x) => x.name)).toEqual(["lookup", "card"]);
    const bad = await postForm(w.app, "/admin/acme/shop/manifest", { csrf: dev.csrf, manifest: "{nope" }, dev.cookie);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("manifest: not valid JSON");
    const invalid = await postForm(w.app, "/admin/acme/shop/manifest", { csrf: dev.csrf, manifest: '{"tools":[{"name":"x","kind":"script"}]}' }, dev.cookie);
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain("tools.0.script");
    const ok = await postForm(w.app, "/admin/acme/shop/manifest", { csrf: dev.csrf, manifest: JSON.stringify({ ...manifest, tools: manifest.tools.slice(1), instructions: "New" }) }, dev.cookie);
    expect(ok.status).toBe(200);
    const body = await ok.text();
    expect(body).toContain("tools removed");
    expect(body).toContain("lookup");
    expect(body).toContain("instructions changed");
  });
});

describe("long lists", () => {
  test("the tool list is paginated, 50 to a page", async () => {
    const tools = Array.from({ length: 52 }, (_, i) => ({ name: `t${String(i).padStart(2, "0")}`, kind: "script", script: "export default () => 1" }));
    await importManifest(w.deps, w.project.id, { tools: [...(await exportManifest(w.deps, w.project.id)).tools, ...tools] });
    const get = async (q: string) => (await req(w.app, `/admin/acme/shop/tools${q}`, { headers: { cookie: w.members.developer.cookie } })).text();
    const first = await get("");
    expect(first).toContain("Page 1 of 2");
    expect(first).toContain('href="/admin/acme/shop/tools?page=2"');
    expect(first.match(/<tr><td><a href/g)).toHaveLength(50);
    const second = await get("?page=2");
    expect(second).toContain("Page 2 of 2");
    expect(second.match(/<tr><td><a href/g)).toHaveLength(3);
  });
});

describe("prompts", () => {
  test("developers add, edit and delete prompts; viewers only read them", async () => {
    const dev = w.members.developer;
    const fields = { name: "summarize", description: "Summarize a topic", arguments: '[{"name":"topic","required":true}]', template: "Summarize {{topic}}" };
    const bad = await postForm(w.app, "/admin/acme/shop/prompts/new", { ...fields, arguments: "[oops", csrf: dev.csrf }, dev.cookie);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("arguments: not valid JSON");
    expect((await postForm(w.app, "/admin/acme/shop/prompts/new", { ...fields, csrf: w.members.viewer.csrf }, w.members.viewer.cookie)).status).toBe(403);
    const ok = await postForm(w.app, "/admin/acme/shop/prompts/new", { ...fields, csrf: dev.csrf }, dev.cookie);
    expect(ok.headers.get("location")).toBe("/admin/acme/shop/tools?ok=prompt-saved");
    expect(await (await req(w.app, "/admin/acme/shop/tools", { headers: { cookie: dev.cookie } })).text()).toContain("<code>summarize</code>");
    // Issue 11 #13: viewers read the published version only; after a publish they see the prompt, read-only.
    expect(await (await req(w.app, "/admin/acme/shop/tools", { headers: { cookie: w.members.viewer.cookie } })).text()).not.toContain("<code>summarize</code>");
    expect((await req(w.app, "/admin/acme/shop/prompts/summarize", { headers: { cookie: w.members.viewer.cookie } })).status).toBe(404);
    await publish(w.deps, w.project.id, null);
    const list = await (await req(w.app, "/admin/acme/shop/tools", { headers: { cookie: w.members.viewer.cookie } })).text();
    expect(list).toContain("<code>summarize</code>");
    const edit = await (await req(w.app, "/admin/acme/shop/prompts/summarize", { headers: { cookie: w.members.viewer.cookie } })).text();
    expect(edit).toContain("<fieldset disabled>");
    expect(edit).toContain("Summarize {{topic}}");
    await postForm(w.app, "/admin/acme/shop/prompts/summarize/delete", { csrf: dev.csrf }, dev.cookie);
    expect((await req(w.app, "/admin/acme/shop/prompts/summarize", { headers: { cookie: dev.cookie } })).status).toBe(404);
  });
});
