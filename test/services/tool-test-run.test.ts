/**
 * `tools.test-run` (issue 16 #2, "Test a tool without leaving the page"): a developer runs a draft tool
 * with sample input from its page and sees the result after the POST/redirect/GET; it runs through the
 * runtime MCP uses, with draft secret values only, checks input and output schemas as `tools/call` does,
 * and leaves one project audit row marked `test-run`. The JSON API runs the same operation.
 */
import { describe, expect, test } from "bun:test";
import { DEMO_MANIFEST } from "../../src/cli/demo-manifest";
import { createDraftTool } from "../../src/projects/draft";
import { sampleInput } from "../../src/tools/sample-input";
import { seededApp } from "../admin/fixtures";
import { call } from "../api/client";
import { postForm, req } from "../helpers";

const BASE = "/admin/acme/shop/tools";

interface Row {
  source: string; channel: string; principal: string; user_id: string | null; method: string; tool: string;
  status: string; error_class: string | null; input: string | null; output: string | null; logs: string | null; host: string | null;
}

describe("a test run from the tool page", () => {
  const w = seededApp();
  const rows = (tool: string) =>
    w.deps.db.$client.query("SELECT * FROM audit_events WHERE tool = ? ORDER BY id").all(tool) as Row[];
  const flush = () => w.deps.audit.flush();
  const page = async (path: string, who = w.members.developer) => (await req(w.app, path, { headers: { cookie: who.cookie } })).text();
  const run = (tool: string, args: string, who = w.members.developer) => postForm(w.app, `${BASE}/${tool}/test`, { csrf: who.csrf, arguments: args }, who.cookie);

  test("runs the draft script with the input, shows content and structured content once, and audits it as a test run", async () => {
    await createDraftTool(w.deps, w.project.id, {
      name: "greet", kind: "script", description: "Greets.",
      inputSchema: { type: "object", properties: { who: { type: "string", default: "Ada" }, times: { type: "integer", examples: [2] } }, required: ["who"] },
      script: "export default async (input, env) => { env.log('greeting ' + input.who); return { greeting: 'Hello ' + input.who, times: input.times }; };",
    });
    // The box starts from the input schema's defaults and examples.
    const before = await page(`${BASE}/greet`);
    expect(before).toContain('<div class="card" id="test-run"><h2>Test run</h2>');
    expect(before).toContain(`>${JSON.stringify({ who: "Ada", times: 2 }, null, 2).replaceAll('"', "&quot;")}</textarea>`);

    const res = await run("greet", '{"who": "Grace", "times": 3}');
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^\/admin\/acme\/shop\/tools\/greet\?run=once_[^&#]+#test-run$/);
    const shown = await page(location);
    expect(shown).toContain('<span class="badge ok">ok</span>');
    expect(shown).toContain(`<pre class="test-text">${JSON.stringify({ greeting: "Hello Grace", times: 3 }).replaceAll('"', "&quot;")}</pre>`);
    expect(shown).toContain('<pre class="test-structured">{\n  &quot;greeting&quot;: &quot;Hello Grace&quot;,\n  &quot;times&quot;: 3\n}</pre>');
    expect(shown).toContain('<pre class="test-logs">info: greeting Grace</pre>');
    // The box keeps the input that ran; a reload shows the card without the spent result.
    expect(shown).toContain("&quot;who&quot;: &quot;Grace&quot;");
    expect(await page(location)).not.toContain("test-result");

    await flush();
    expect(rows("greet")).toEqual([expect.objectContaining({
      source: "test-run", channel: "draft", principal: "user", user_id: w.members.developer.id, method: "tools/call", status: "ok",
      error_class: null, input: JSON.stringify({ who: "Grace", times: 3 }), logs: JSON.stringify(["info: greeting Grace"]), host: null,
    })]);
    expect(JSON.parse(rows("greet")[0]!.output!)).toMatchObject({ structuredContent: { greeting: "Hello Grace", times: 3 } });
  });

  test("uses draft secret values only: never production's, and a missing draft value fails naming it", async () => {
    await createDraftTool(w.deps, w.project.id, {
      name: "keyed", kind: "script", description: "Uses a key.", secrets: ["API_KEY"],
      script: "export default async (input, env) => ({ channel: env.secrets.API_KEY.startsWith('draft-') ? 'draft' : 'production' });",
    });
    await w.deps.tools.secrets.setSecret(w.project.id, "keyed", "API_KEY", "prod-value-1", "production");
    const missing = await page((await run("keyed", "{}")).headers.get("location")!);
    expect(missing).toContain('<span class="badge err">isError · configuration</span>');
    expect(missing).toContain("secret API_KEY is not set for the draft channel");
    await w.deps.tools.secrets.setSecret(w.project.id, "keyed", "API_KEY", "draft-value-1", "draft");
    const used = await page((await run("keyed", "{}")).headers.get("location")!);
    expect(used).toContain("&quot;channel&quot;: &quot;draft&quot;");
    await flush();
    expect(rows("keyed").map((r) => [r.source, r.channel, r.status, r.error_class])).toEqual([
      ["test-run", "draft", "error", "configuration"],
      ["test-run", "draft", "ok", null],
    ]);
  });

  test("input that is not JSON, not an object or not what the schema asks is refused beside the box; nothing runs", async () => {
    const notJson = await run("greet", "{who: Grace}");
    expect(notJson.status).toBe(400);
    const html = await notJson.text();
    expect(html).toContain('<div class="field-error" id="e-arguments">not valid JSON');
    expect(html).toContain(">{who: Grace}</textarea>");
    expect(await (await run("greet", "[1]")).text()).toContain("the input must be a JSON object");
    const wrong = await run("greet", '{"times": "many"}');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("do not match the tool&#39;s inputSchema: missing required field &quot;who&quot;");
    await flush();
    expect(rows("greet")).toHaveLength(1);
  });

  test("a result that breaks the output schema is shown as the error a host would get", async () => {
    await createDraftTool(w.deps, w.project.id, {
      name: "shaped", kind: "script", description: "Returns a shape.",
      outputSchema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
      script: "export default async () => ({ n: 'not a number' });",
    });
    const shown = await page((await run("shaped", "{}")).headers.get("location")!);
    expect(shown).toContain('<span class="badge err">isError · tool</span>');
    expect(shown).toContain("The tool&#39;s output does not match its outputSchema: n: must be number.");
  });

  test("a viewer has no test card and is refused; the result handle works only for the session that ran it", async () => {
    expect(await page(`${BASE}/greet`, w.members.viewer)).not.toContain("test-run");
    const refused = await run("greet", '{"who": "Eve"}', w.members.viewer);
    expect(refused.status).toBe(403);
    const location = (await run("greet", '{"who": "Bob"}')).headers.get("location")!;
    expect(await page(location, w.members.admin)).not.toContain("Hello Bob");
    expect(await page(location)).toContain("Hello Bob");
  });

  test("an interactive tool's preview receives the test run's input and result as its tool data", async () => {
    await createDraftTool(w.deps, w.project.id, {
      name: "card", kind: "interactive", description: "Shows a card.",
      inputSchema: { type: "object", properties: { title: { type: "string" } } },
      html: "<!doctype html><html><body><h1 id=t>waiting</h1></body></html>",
    });
    const idle = await page(`${BASE}/card`);
    expect(idle).toContain(`src="${BASE}/card/preview"`);
    expect(idle).toContain("Run a test above to give it data.");
    const shown = await page((await run("card", '{"title": "Shoes"}')).headers.get("location")!);
    const src = /src="(\/admin\/acme\/shop\/tools\/card\/preview\?run=[^"]+)"/.exec(shown)?.[1];
    expect(src).toBeDefined();
    const preview = await page(src!.replaceAll("&amp;", "&"));
    expect(preview).toContain(`data-tool-input="${JSON.stringify({ title: "Shoes" }).replaceAll('"', "&quot;")}"`);
    expect(preview).toContain(`data-tool-result="${JSON.stringify({ content: [{ type: "text", text: 'card: {"title":"Shoes"}' }], structuredContent: { title: "Shoes" } }).replaceAll('"', "&quot;")}"`);
    // One-time: reloading the frame shows the app without data, as before.
    expect(await page(src!)).not.toContain("data-tool-result");
  });

  test("a result too large to hold for the page is replaced by a note (the audit log keeps its start)", async () => {
    await createDraftTool(w.deps, w.project.id, { name: "big", kind: "script", description: "Big.", script: "export default async () => 'x'.repeat(300 * 1024);" });
    const shown = await page((await run("big", "{}")).headers.get("location")!);
    expect(shown).toContain('<span class="badge ok">ok</span>');
    expect(shown).toContain("The result is 601 KB, too large to show here; the audit log keeps its first 64 KB.");
    expect(shown).not.toContain("x".repeat(1000));
  });

  test("a script that asks the host a question (the demo's delete_note) is told to try it from a host", async () => {
    const demo = DEMO_MANIFEST.tools!.find((t) => t.name === "delete_note")!;
    await createDraftTool(w.deps, w.project.id, demo);
    const asked = await call(w.app, "POST", "/projects/acme/shop/tools/delete_note/test-run", { as: w.members.developer, body: { arguments: { title: "Groceries" } } });
    expect(asked.json.result).toEqual({ isError: true, content: [{ type: "text", text: expect.stringContaining("only an MCP host can answer") }] });
  });

  test("JSON API: POST …/tools/{name}/test-run runs the same operation (developer), refused to a viewer", async () => {
    const ok = await call(w.app, "POST", "/projects/acme/shop/tools/greet/test-run", { as: w.members.developer, body: { arguments: { who: "Api" } } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ tool: "greet", kind: "script", result: { structuredContent: { greeting: "Hello Api" } }, errorClass: null, logs: ["info: greeting Api"] });
    expect((await call(w.app, "POST", "/projects/acme/shop/tools/greet/test-run", { as: w.members.viewer, body: {} })).status).toBe(403);
    const bad = await call(w.app, "POST", "/projects/acme/shop/tools/greet/test-run", { as: w.members.developer, body: { arguments: {} } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('missing required field "who"');
  });
});

describe("sample input", () => {
  test("comes from the schema's example, its default, or each property's default/examples/example/const", () => {
    expect(sampleInput({ type: "object", examples: [{ q: "shoes" }], properties: { q: { type: "string", default: "x" } } })).toEqual({ q: "shoes" });
    expect(sampleInput({ type: "object", default: { a: 1 } })).toEqual({ a: 1 });
    expect(sampleInput({ type: "object", properties: { a: { default: 1 }, b: { examples: ["two"] }, c: { example: true }, d: { const: "k" }, e: { type: "string" } } })).toEqual({ a: 1, b: "two", c: true, d: "k" });
    expect(sampleInput({ type: "object" })).toEqual({});
  });
});
