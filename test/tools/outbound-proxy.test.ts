/**
 * Tool fetches go through the configured outbound proxy (issue 12): an http tool and a script tool's
 * `fetch`, wired from the config through the runtime (and the sandbox worker) into safe-fetch. Loopback
 * test mode, so the targets are plain http and the `http-proxy` setting applies; the https/CONNECT path
 * itself is proven in test/lib/safe-fetch-proxy.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startForwardProxy, type ForwardProxy } from "../lib/forward-proxy";
import { script, text, toolsHarness, type ToolsHarness } from "./fixtures";

const PASSWORD = "egress-pa55word";
let upstream: ReturnType<typeof Bun.serve>;
let proxy: ForwardProxy;
let refusing: ForwardProxy;

beforeAll(async () => {
  upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (r) => Response.json({ path: new URL(r.url).pathname, host: r.headers.get("host"), proxyAuth: r.headers.get("proxy-authorization") }) });
  proxy = await startForwardProxy();
  refusing = await startForwardProxy({ refuse: 407 });
});
afterAll(async () => {
  void upstream.stop(true);
  await proxy.close();
  await refusing.close();
});

const withCreds = (url: string) => url.replace("//", `//ops:${PASSWORD}@`);
const basic = `Basic ${Buffer.from(`ops:${PASSWORD}`).toString("base64")}`;

describe("tool fetches through the outbound proxy", () => {
  let h: ToolsHarness;
  beforeAll(async () => {
    h = await toolsHarness({ httpProxy: withCreds(proxy.url), logLevel: "trace" });
  });
  afterAll(() => h.close());

  test("an http tool's request goes through the proxy, addressed to the checked IP, with the proxy's credentials", async () => {
    const before = proxy.requests.length;
    const out = await h.call({ name: "lookup", kind: "http", url: `http://127.0.0.1:${upstream.port}/lookup` }, { q: 1 });
    expect(out.errorClass).toBeUndefined();
    expect(out.result.structuredContent).toEqual({ path: "/lookup", host: `127.0.0.1:${upstream.port}`, proxyAuth: null });
    const asked = proxy.requests.slice(before);
    expect(asked.map((r) => `${r.method} ${r.target}`)).toEqual([`POST http://127.0.0.1:${upstream.port}/lookup`]);
    expect(asked[0]!.headers["proxy-authorization"]).toBe(basic);
  });

  test("a script tool's fetch goes through the proxy from the sandbox worker", async () => {
    const before = proxy.requests.length;
    const out = await h.call(script("export default async (i) => (await fetch(i.url)).json()", { allowedDomains: ["127.0.0.1"] }), { url: `http://127.0.0.1:${upstream.port}/from-script` });
    expect(out.errorClass).toBeUndefined();
    expect(out.result.structuredContent).toMatchObject({ path: "/from-script" });
    expect(proxy.requests.slice(before).map((r) => `${r.method} ${r.target}`)).toEqual([`GET http://127.0.0.1:${upstream.port}/from-script`]);
    expect(proxy.requests.at(-1)!.headers["proxy-authorization"]).toBe(basic);
  });

  test("a refused target never reaches the proxy", async () => {
    const before = proxy.connections;
    const out = await h.call(script("export default async (i) => (await fetch(i.url)).status", { allowedDomains: ["169.254.169.254"] }), { url: "http://169.254.169.254/latest/meta-data" });
    expect(out.errorClass).toBe("runtime");
    expect(proxy.connections).toBe(before);
    expect(h.logs.text).not.toContain(PASSWORD);
  });
});

describe("a proxy that refuses", () => {
  let h: ToolsHarness;
  beforeAll(async () => {
    // https targets: the proxy is asked to CONNECT (the production path) and answers 407.
    h = await toolsHarness({ httpsProxy: withCreds(refusing.url), logLevel: "trace" });
  });
  afterAll(() => h.close());

  test("the tool error says the proxy refused; the proxy's password is in no result, error or log line", async () => {
    const viaHttp = await h.call({ name: "lookup", kind: "http", url: `https://127.0.0.1:${upstream.port}/lookup` }, {});
    const viaScript = await h.call(script("export default async (i) => (await fetch(i.url)).status", { allowedDomains: ["127.0.0.1"] }), { url: `https://127.0.0.1:${upstream.port}/x` });
    expect(refusing.requests.map((r) => `${r.method} ${r.target}`)).toEqual([`CONNECT 127.0.0.1:${upstream.port}`, `CONNECT 127.0.0.1:${upstream.port}`]);
    expect(refusing.requests[0]!.headers["proxy-authorization"]).toBe(basic);
    for (const out of [viaHttp, viaScript]) {
      expect(out.errorClass).toBe("runtime");
      expect(text(out)).toContain("the outbound proxy refused the connection (HTTP 407)");
      expect(JSON.stringify(out)).not.toContain(PASSWORD);
      expect(JSON.stringify(out)).not.toContain(`127.0.0.1:${refusing.port}`);
    }
    expect(h.logs.text).not.toContain(PASSWORD);
  });
});
