/**
 * safeFetch through an outbound proxy (issue 12, "Outbound proxy"): a real CONNECT proxy and a real https
 * target on loopback, the pinned test certificate for `pinned.test` (fixtures), and a table resolver for
 * names. The proxy changes the route, never the policy: targets are resolved and checked by Portico, the
 * proxy is asked for the checked IP, and TLS is verified against the real host name.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { FetchBlockedError, FetchNetworkError, safeFetch, type Resolved, type SafeFetchOptions } from "../../src/lib/safe-fetch";
import { startForwardProxy, type ForwardProxy } from "./forward-proxy";

const FIXTURES = join(import.meta.dir, "fixtures");
const PUBLIC_IP = "93.184.216.34"; // a global unicast address: allowed by policy, never actually contacted
const PASSWORD = "pr0xy-s3cret:with@signs";

let tls: { cert: string; key: string };
let target: ReturnType<typeof Bun.serve>;
const seen: Array<{ host: string | null; proxyAuth: string | null; path: string }> = [];
let proxy: ForwardProxy;

function dns(table: Record<string, string[]>) {
  return async (host: string): Promise<Resolved[]> => (table[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
}

/**
 * This file names a public address (the proxy maps it onto loopback). Tests here must only ever reach
 * loopback, so a direct connection anywhere else — what a regression that skipped the proxy would make —
 * is refused before it leaves the process instead of being attempted.
 */
const realFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = Object.assign(
    (input: string | URL | Request, init?: RequestInit & { proxy?: unknown }) => {
      const host = new URL(input instanceof Request ? input.url : String(input)).hostname.replace(/^\[|\]$/g, "");
      const loopback = host === "localhost" || host === "::1" || host.startsWith("127.");
      if (!loopback && !init?.proxy) return Promise.reject(new Error(`egress guard: a direct connection to ${host} was attempted`));
      return realFetch(input, init);
    },
    realFetch,
  );
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

beforeAll(async () => {
  tls = { cert: await Bun.file(join(FIXTURES, "pinned-test-cert.pem")).text(), key: await Bun.file(join(FIXTURES, "pinned-test-key.pem")).text() };
  target = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls,
    fetch(req) {
      const url = new URL(req.url);
      seen.push({ host: req.headers.get("host"), proxyAuth: req.headers.get("proxy-authorization"), path: url.pathname });
      const to = url.searchParams.get("to");
      if (to) return new Response(null, { status: 302, headers: { location: to } });
      return new Response(`hello from ${req.headers.get("host")}`);
    },
  });
});
afterAll(() => target.stop(true));
afterEach(async () => {
  await proxy?.close();
  seen.length = 0;
});

/** A proxy that maps the public address Portico asks for onto the local https target. */
const toLocalTarget = () => startForwardProxy({ route: (host, port) => (host === PUBLIC_IP && port === 443 ? { host: "127.0.0.1", port: target.port! } : { host, port }) });

/** Production mode (no loopback targets), the public name pinned.test, the operator's proxy on loopback. */
const production = (over: Partial<SafeFetchOptions> = {}): SafeFetchOptions => ({
  allowLoopback: false,
  timeoutMs: 3000,
  maxBytes: 10_000,
  ca: tls.cert,
  resolve: dns({ "pinned.test": [PUBLIC_IP], "evil.test": ["10.1.2.3"], "metadata.test": ["169.254.169.254"] }),
  proxy: { httpsProxy: proxy.url, noProxy: [] },
  ...over,
});

describe("with an outbound proxy", () => {
  test("an https fetch is tunnelled to the checked IP, the answer arrives, TLS is verified against the host name", async () => {
    proxy = await toLocalTarget();
    const res = await safeFetch("https://pinned.test/doc", production());
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode(res.body)).toBe("hello from pinned.test");
    expect(proxy.requests.map((r) => `${r.method} ${r.target}`)).toEqual([`CONNECT ${PUBLIC_IP}:443`]);
    // The proxy on a loopback address is allowed although loopback targets are not: only targets are policed.
    expect(proxy.url).toStartWith("http://127.0.0.1:");
  });

  test("a certificate for another name fails through the tunnel too", async () => {
    proxy = await toLocalTarget();
    const resolve = dns({ "other.test": [PUBLIC_IP] });
    const err = await safeFetch("https://other.test/doc", production({ resolve })).catch((e) => e);
    expect(err).toBeInstanceOf(FetchNetworkError);
    expect(err.message).toBe("connection failed (ERR_TLS_CERT_ALTNAME_INVALID)");
    expect(proxy.requests.map((r) => r.target)).toEqual([`${PUBLIC_IP}:443`]);
    expect(seen).toEqual([]);
  });

  test("the proxy's credentials reach it as Proxy-Authorization, never the target", async () => {
    proxy = await toLocalTarget();
    const withCreds = proxy.url.replace("//", `//ops%40corp:${encodeURIComponent(PASSWORD)}@`);
    // A caller's own Proxy-* header is dropped (Fetch: forbidden request-header names).
    const res = await safeFetch("https://pinned.test/doc", production({ proxy: { httpsProxy: withCreds, noProxy: [] }, headers: { "Proxy-Authorization": "Basic Zm9yZ2Vk" } }));
    expect(res.status).toBe(200);
    expect(proxy.requests[0]!.headers["proxy-authorization"]).toBe(`Basic ${Buffer.from(`ops@corp:${PASSWORD}`).toString("base64")}`);
    expect(seen).toEqual([{ host: "pinned.test", proxyAuth: null, path: "/doc" }]);
  });

  test("NO_PROXY targets are fetched directly: by host suffix, by address, by *; another port still uses the proxy", async () => {
    proxy = await startForwardProxy({ route: (host, port) => ({ host, port }) });
    const resolve = dns({ "pinned.test": ["127.0.0.1"] });
    const local = (noProxy: string[]) => ({ allowLoopback: true, timeoutMs: 3000, maxBytes: 10_000, ca: tls.cert, resolve, proxy: { httpsProxy: proxy.url, noProxy } });
    const url = `https://pinned.test:${target.port}/direct`;
    for (const noProxy of [["pinned.test"], [".test"], ["127.0.0.0/8"], [`pinned.test:${target.port}`], ["*"]]) {
      const res = await safeFetch(url, local(noProxy));
      expect(new TextDecoder().decode(res.body)).toBe(`hello from pinned.test:${target.port}`);
    }
    expect(proxy.connections).toBe(0);
    await safeFetch(url, local(["pinned.test:1", "other.test", "10.0.0.0/8"]));
    expect(proxy.requests.map((r) => r.target)).toEqual([`127.0.0.1:${target.port}`]);
  });

  test("a target resolving to a refused address is refused before the proxy is even contacted", async () => {
    proxy = await toLocalTarget();
    for (const url of ["https://evil.test/", "https://metadata.test/latest", "https://10.0.0.1/", "https://[::1]/", "https://127.0.0.1/"]) {
      const err = await safeFetch(url, production()).catch((e) => e);
      expect(err).toBeInstanceOf(FetchBlockedError);
    }
    expect(proxy.connections).toBe(0);
  });

  test("a redirect to a refused address is refused; the proxy never hears of it", async () => {
    proxy = await toLocalTarget();
    for (const to of ["https://evil.test/next", "https://169.254.169.254/latest/meta-data"]) {
      const err = await safeFetch(`https://pinned.test/start?to=${encodeURIComponent(to)}`, production()).catch((e) => e);
      expect(err).toBeInstanceOf(FetchBlockedError);
      expect(err.message).not.toContain("10.1.2.3");
    }
    expect(proxy.requests.every((r) => r.target === `${PUBLIC_IP}:443`)).toBe(true);
    // An allowed redirect is followed, again through the proxy to its checked address.
    const ok = await safeFetch(`https://pinned.test/start?to=${encodeURIComponent("https://pinned.test/end")}`, production());
    expect(ok.url).toBe("https://pinned.test/end");
    expect(seen.at(-1)!.path).toBe("/end");
  });

  test("a proxy refusing the tunnel or not answering: a plain error without the proxy URL or its password", async () => {
    proxy = await startForwardProxy({ refuse: 407 });
    const withCreds = (url: string) => url.replace("//", `//ops:${encodeURIComponent(PASSWORD)}@`);
    const refused = await safeFetch("https://pinned.test/doc", production({ proxy: { httpsProxy: withCreds(proxy.url), noProxy: [] } })).catch((e) => e);
    expect(refused).toBeInstanceOf(FetchNetworkError);
    expect(refused.message).toBe("the outbound proxy refused the connection (HTTP 407)");
    const dead = await safeFetch("https://pinned.test/doc", production({ proxy: { httpsProxy: withCreds("http://127.0.0.1:1"), noProxy: [] } })).catch((e) => e);
    expect(dead).toBeInstanceOf(FetchNetworkError);
    expect(dead.message).toBe("connection failed (ECONNREFUSED)");
    for (const err of [refused, dead]) {
      const everything = `${err.message} ${err.detail ?? ""} ${String(err)} ${JSON.stringify(err)}`;
      expect(everything).not.toContain("pr0xy");
      expect(everything).not.toContain(encodeURIComponent(PASSWORD));
      expect(everything).not.toContain("127.0.0.1");
    }
  });
});
