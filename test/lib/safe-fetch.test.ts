import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  FetchBlockedError,
  FetchNetworkError,
  FetchTimeoutError,
  FetchTooLargeError,
  safeFetch,
  type Resolved,
  type SafeFetchOptions,
} from "../../src/lib/safe-fetch";

/** A loopback listener recording every request it receives. */
interface Recorder {
  server: ReturnType<typeof Bun.serve>;
  url: string;
  hits: Request[];
}

function record(handler: (req: Request, rec: Recorder) => Response | Promise<Response>, tls?: { cert: string; key: string }): Recorder {
  const rec = { hits: [] as Request[] } as Recorder;
  rec.server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls,
    fetch(req) {
      rec.hits.push(req);
      return handler(req, rec);
    },
  });
  rec.url = `${tls ? "https" : "http"}://127.0.0.1:${rec.server.port}`;
  return rec;
}

const base: SafeFetchOptions = { allowLoopback: true, allowHttp: true, timeoutMs: 2000, maxBytes: 1000 };
const FIXTURES = join(import.meta.dir, "fixtures");
let echo: Recorder;

beforeAll(() => {
  echo = record((req) => Response.json({ method: req.method, path: new URL(req.url).pathname, auth: req.headers.get("authorization") }));
});
afterAll(() => echo.server.stop(true));

/** Resolver for names that do not exist in real DNS; counts lookups. */
function fakeDns(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<Resolved[]> => {
    calls.push(host);
    return (table[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { resolve, calls };
}

describe("safeFetch refuses before connecting", () => {
  test("http is refused unless allowHttp", async () => {
    const before = echo.hits.length;
    await expect(safeFetch(`${echo.url}/x`, { ...base, allowHttp: false })).rejects.toBeInstanceOf(FetchBlockedError);
    expect(echo.hits.length).toBe(before);
  });

  test("loopback is refused unless allowLoopback, by literal and by name", async () => {
    const before = echo.hits.length;
    await expect(safeFetch(`${echo.url}/x`, { ...base, allowLoopback: false })).rejects.toThrow(/private or reserved/);
    const byName = echo.url.replace("127.0.0.1", "localhost");
    await expect(safeFetch(`${byName}/x`, { ...base, allowLoopback: false })).rejects.toBeInstanceOf(FetchBlockedError);
    await expect(safeFetch(`http://[::1]:${echo.server.port}/x`, { ...base, allowLoopback: false })).rejects.toBeInstanceOf(FetchBlockedError);
    expect(echo.hits.length).toBe(before);
  });

  test.each([
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://[::]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://0x0a000001/",
  ])("%s is refused even with allowLoopback, without a connection attempt", async (url) => {
    const started = performance.now();
    await expect(safeFetch(url, { ...base, timeoutMs: 5000 })).rejects.toBeInstanceOf(FetchBlockedError);
    // A connection attempt to an unroutable address would hang until the timeout.
    expect(performance.now() - started).toBeLessThan(200);
  });

  test("a name resolving to a private address is refused; so is a mixed answer", async () => {
    const dns = fakeDns({ "evil.test": ["10.0.0.1"], "mixed.test": ["93.184.216.34", "192.168.0.10"] });
    await expect(safeFetch("https://evil.test/", { ...base, resolve: dns.resolve })).rejects.toThrow(/evil\.test resolves to a private or reserved address/);
    await expect(safeFetch("https://mixed.test/", { ...base, resolve: dns.resolve })).rejects.toBeInstanceOf(FetchBlockedError);
    expect(dns.calls).toEqual(["evil.test", "mixed.test"]);
  });

  test("the message names no resolved address (issue 11 #9); the detail, for logs only, does", async () => {
    const dns = fakeDns({ "evil.test": ["10.0.0.1"] });
    const err = (await safeFetch("https://evil.test/", { ...base, resolve: dns.resolve }).catch((e) => e)) as FetchBlockedError;
    expect(err.message).toBe("evil.test resolves to a private or reserved address");
    expect(err.detail).toBe("resolved to 10.0.0.1");
  });

  test("an unresolvable name is a network error", async () => {
    const dns = fakeDns({});
    await expect(safeFetch("https://nowhere.test/", { ...base, resolve: dns.resolve })).rejects.toBeInstanceOf(FetchNetworkError);
  });

  test("Portico's own origin and URLs with credentials are refused", async () => {
    const before = echo.hits.length;
    await expect(safeFetch(`${echo.url}/x`, { ...base, blockedOrigins: [echo.url] })).rejects.toThrow(/Portico itself/);
    await expect(safeFetch(echo.url.replace("//", "//u:p@"), base)).rejects.toBeInstanceOf(FetchBlockedError);
    expect(echo.hits.length).toBe(before);
  });
});

describe("safeFetch pins the checked address", () => {
  test("https to a name connects to the resolved IP with Host and TLS server name intact", async () => {
    const tls = { cert: await Bun.file(join(FIXTURES, "pinned-test-cert.pem")).text(), key: await Bun.file(join(FIXTURES, "pinned-test-key.pem")).text() };
    const srv = record((req) => new Response(`host=${req.headers.get("host")}`), tls);
    try {
      const dns = fakeDns({ "pinned.test": ["127.0.0.1"] });
      const url = `https://pinned.test:${srv.server.port}/doc`;
      const res = await safeFetch(url, { ...base, allowHttp: false, resolve: dns.resolve, ca: tls.cert });
      expect(res.status).toBe(200);
      expect(new TextDecoder().decode(res.body)).toBe(`host=pinned.test:${srv.server.port}`);
      expect(res.url).toBe(url);
      expect(dns.calls).toEqual(["pinned.test"]);
      // The certificate is verified against the real name, not the IP we connected to.
      const wrong = fakeDns({ "other.test": ["127.0.0.1"] });
      await expect(safeFetch(`https://other.test:${srv.server.port}/`, { ...base, resolve: wrong.resolve, ca: tls.cert })).rejects.toBeInstanceOf(FetchNetworkError);
    } finally {
      void srv.server.stop(true);
    }
  });
});

describe("safeFetch redirects", () => {
  let hops: Recorder;
  beforeAll(() => {
    hops = record((req) => {
      const to = new URL(req.url).searchParams.get("to");
      const status = Number(new URL(req.url).searchParams.get("status") ?? 302);
      return to ? new Response(null, { status, headers: { location: to } }) : new Response("end");
    });
  });
  afterAll(() => hops.server.stop(true));

  test("maxRedirects 0 refuses a redirect", async () => {
    await expect(safeFetch(`${hops.url}/?to=/end`, { ...base, maxRedirects: 0 })).rejects.toThrow(/redirects are not followed/);
  });

  test("each hop is re-checked: a redirect to a private address or to Portico is refused", async () => {
    await expect(safeFetch(`${hops.url}/?to=${encodeURIComponent("http://10.0.0.1/")}`, base)).rejects.toBeInstanceOf(FetchBlockedError);
    const before = echo.hits.length;
    await expect(safeFetch(`${hops.url}/?to=${encodeURIComponent(echo.url + "/x")}`, { ...base, blockedOrigins: [echo.url] })).rejects.toThrow(/Portico itself/);
    expect(echo.hits.length).toBe(before);
  });

  test("redirects are followed up to the limit", async () => {
    const res = await safeFetch(`${hops.url}/?to=/end`, base);
    expect(new TextDecoder().decode(res.body)).toBe("end");
    expect(res.url).toBe(`${hops.url}/end`);
    const chain = `${hops.url}/?to=${encodeURIComponent(`/?to=${encodeURIComponent("/?to=/end")}`)}`;
    await expect(safeFetch(chain, { ...base, maxRedirects: 1 })).rejects.toThrow(/more than 1 redirects/);
  });

  test("credentials are dropped across origins and 303 turns a POST into a GET", async () => {
    const res = await safeFetch(`${hops.url}/?status=303&to=${encodeURIComponent(echo.url + "/landing")}`, {
      ...base,
      method: "POST",
      body: "{}",
      headers: { Authorization: "Bearer secret-value", "content-type": "application/json" },
    });
    expect(JSON.parse(new TextDecoder().decode(res.body))).toEqual({ method: "GET", path: "/landing", auth: null });
  });
});

describe("safeFetch caps size and time", () => {
  let big: Recorder;
  beforeAll(() => {
    big = record((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/declared") return new Response("x".repeat(5000));
      if (path === "/slow") return Bun.sleep(3000).then(() => new Response("late"));
      // Chunked, no Content-Length: the cap must hold while streaming.
      const stream = new ReadableStream({
        async pull(c) {
          c.enqueue(new TextEncoder().encode("y".repeat(400)));
          await Bun.sleep(1);
        },
      });
      return new Response(stream);
    });
  });
  afterAll(() => big.server.stop(true));

  test("a declared length over the cap is refused", async () => {
    await expect(safeFetch(`${big.url}/declared`, base)).rejects.toBeInstanceOf(FetchTooLargeError);
  });

  test("an endless chunked body is cut off at the cap", async () => {
    await expect(safeFetch(`${big.url}/stream`, base)).rejects.toThrow(/larger than 1000 bytes/);
  });

  test("a slow server hits the timeout", async () => {
    const started = performance.now();
    await expect(safeFetch(`${big.url}/slow`, { ...base, timeoutMs: 150 })).rejects.toBeInstanceOf(FetchTimeoutError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("the caller's signal aborts the request", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    await expect(safeFetch(`${big.url}/slow`, { ...base, signal: ctl.signal })).rejects.toThrow(/aborted/);
  });

  test("a body within the cap arrives whole", async () => {
    const res = await safeFetch(`${echo.url}/ok`, { ...base, method: "PUT" });
    expect(res.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(res.body))).toMatchObject({ method: "PUT", path: "/ok" });
  });
});

describe("own origin by address", () => {
  test("the same address on another port is another service and stays reachable", async () => {
    const dns = fakeDns({ "portico.test": ["127.0.0.1"] });
    const res = await safeFetch(`${echo.url}/x`, { ...base, resolve: dns.resolve, blockedOrigins: ["http://portico.test:1"] });
    expect(res.status).toBe(200);
  });
});
