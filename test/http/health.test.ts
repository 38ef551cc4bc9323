import { afterEach, describe, expect, test } from "bun:test";
import { runCli } from "../../src/cli/run";
import { makeApp, req, type TestApp } from "../helpers";

let t: TestApp;
afterEach(() => t?.close());

describe("health", () => {
  test("healthz and readyz answer 200 on a working database", async () => {
    t = await makeApp();
    expect((await req(t.app, "/healthz")).status).toBe(200);
    // The body also lists each check since issue 15 (test/http/readyz.test.ts); the status is what this test is about.
    expect(await (await req(t.app, "/readyz")).json()).toMatchObject({ status: "ready" });
  });

  test("healthz, the page footer and --version name the version and the commit the build came from", async () => {
    t = await makeApp();
    const pkg = await Bun.file(new URL("../../package.json", import.meta.url)).json();
    const health = await (await req(t.app, "/healthz")).json();
    expect(health).toEqual({ status: "ok", version: pkg.version, commit: expect.stringMatching(/^([0-9a-f]{12}(-dirty)?|unknown)$/) });
    expect(await (await req(t.app, "/login")).text()).toContain(`Portico ${pkg.version} · ${health.commit}`);
    const out: string[] = [];
    expect(await runCli(["--version"], { io: { out: (l) => out.push(l), err: () => {} } })).toBe(0);
    expect(out).toEqual([`portico ${pkg.version} (${health.commit})`]);
  });

  test("the code editor is served by Portico itself: CodeMirror bundled from npm, gzipped for browsers that accept it", async () => {
    t = await makeApp();
    const plain = await req(t.app, "/assets/editor.js");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("content-encoding")).toBeNull();
    const text = await plain.text();
    expect(text).toContain("cm-editor");
    expect(text).toContain("textarea[data-editor]");
    expect(text).not.toMatch(/https?:\/\/(cdn|unpkg|esm\.sh)/);
    const gz = await req(t.app, "/assets/editor.js", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gz.headers.get("vary")).toBe("accept-encoding");
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer())))).toBe(text);
  });

  test("an unknown path is a readable 404 page, not a stack trace", async () => {
    t = await makeApp();
    const res = await req(t.app, "/no/such/page/here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("Not found");
  });
});
