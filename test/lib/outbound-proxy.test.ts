/** The outbound proxy's settings (issue 12): proxy URLs, NO_PROXY forms and which route a target takes. */
import { describe, expect, test } from "bun:test";
import { bypassesProxy, parseNoProxy, parseProxyUrl, proxyRoute } from "../../src/lib/outbound-proxy";

describe("proxy URLs", () => {
  test("http:// URLs are kept; a value without a scheme is taken as http://", () => {
    expect(parseProxyUrl("http://proxy.corp:3128")).toBe("http://proxy.corp:3128");
    expect(parseProxyUrl("proxy.corp:3128")).toBe("http://proxy.corp:3128");
    expect(parseProxyUrl(" http://u:p@10.0.0.5:8080/ ")).toBe("http://u:p@10.0.0.5:8080");
  });

  test.each(["https://proxy.corp:3129", "socks5://proxy.corp:1080", "http://proxy.corp:3128/path", "http://proxy.corp:3128/?x=1", "http://", "http://u:%zz@proxy:3128"])(
    "%s is refused with a message that does not repeat the value",
    (value) => {
      const err = (() => {
        try {
          parseProxyUrl(value);
        } catch (e) {
          return e as Error;
        }
        throw new Error("expected a refusal");
      })();
      expect(err.message).not.toContain("proxy.corp");
      expect(err.message).not.toContain("%zz");
    },
  );

  test("credentials leave the URL and travel as Proxy-Authorization: Basic (percent-decoded, UTF-8)", () => {
    const route = proxyRoute(new URL("https://api.example.com/"), "93.184.216.34", { httpsProxy: "http://ops%40corp:p%C3%A4ss%3Aword@proxy.corp:3128", noProxy: [] });
    expect(route).toEqual({ url: "http://proxy.corp:3128", headers: { "Proxy-Authorization": `Basic ${Buffer.from("ops@corp:päss:word").toString("base64")}` } });
    expect(proxyRoute(new URL("https://api.example.com/"), "93.184.216.34", { httpsProxy: "http://proxy.corp:3128", noProxy: [] })).toEqual({ url: "http://proxy.corp:3128" });
  });

  test("https targets use the https proxy, http targets the http proxy; none configured: direct", () => {
    const settings = { httpsProxy: "http://s.proxy:1", httpProxy: "http://p.proxy:2", noProxy: [] };
    expect(proxyRoute(new URL("https://a.example/"), "93.184.216.34", settings)).toEqual({ url: "http://s.proxy:1" });
    expect(proxyRoute(new URL("http://a.example/"), "93.184.216.34", settings)).toEqual({ url: "http://p.proxy:2" });
    expect(proxyRoute(new URL("http://a.example/"), "93.184.216.34", { httpsProxy: "http://s.proxy:1", noProxy: [] })).toBe(false);
    expect(proxyRoute(new URL("https://a.example/"), "93.184.216.34", undefined)).toBe(false);
  });
});

describe("NO_PROXY", () => {
  const bypass = (url: string, address: string, entries: string) => bypassesProxy(new URL(url), address, parseNoProxy(entries));

  test("a host name matches itself and every name below it, with or without a leading dot or *.", () => {
    for (const entry of ["example.com", ".example.com", "*.example.com", "EXAMPLE.COM."]) {
      expect(bypass("https://example.com/", "93.184.216.34", entry)).toBe(true);
      expect(bypass("https://api.Example.com./x", "93.184.216.34", entry)).toBe(true);
      expect(bypass("https://notexample.com/", "93.184.216.34", entry)).toBe(false);
      expect(bypass("https://example.com.evil.net/", "93.184.216.34", entry)).toBe(false);
    }
  });

  test("IP addresses and CIDRs match the address Portico resolved and pinned, not the name", () => {
    expect(bypass("https://api.example.com/", "203.0.113.7", "203.0.113.0/24")).toBe(true);
    expect(bypass("https://api.example.com/", "203.0.114.7", "203.0.113.0/24")).toBe(false);
    expect(bypass("https://[2001:db8::5]/", "2001:db8::5", "2001:db8::/32")).toBe(true);
    expect(bypass("https://x.example/", "2001:db8::5", "[2001:db8::5]")).toBe(true);
    expect(bypass("https://x.example/", "::ffff:203.0.113.7", "203.0.113.7")).toBe(true);
  });

  test("an entry with :port matches that port only (the scheme's default when the URL has none)", () => {
    expect(bypass("https://example.com/", "93.184.216.34", "example.com:443")).toBe(true);
    expect(bypass("https://example.com:8443/", "93.184.216.34", "example.com:443")).toBe(false);
    expect(bypass("https://x.example:8443/", "203.0.113.7", "203.0.113.7:8443")).toBe(true);
    expect(bypass("https://x.example/", "2001:db8::5", "[2001:db8::5]:443")).toBe(true);
  });

  test("* alone bypasses every target; entries are split on commas and spaces", () => {
    expect(bypass("https://anything.example/", "93.184.216.34", "*")).toBe(true);
    expect(parseNoProxy(" a.example, b.example  c.example,,")).toEqual(["a.example", "b.example", "c.example"]);
    expect(bypass("https://c.example/", "93.184.216.34", " a.example, b.example  c.example")).toBe(true);
  });

  test("an entry that is none of these is refused, naming it", () => {
    expect(() => parseNoProxy("example.com, http://bad.example/")).toThrow(/"http:\/\/bad\.example\/" is not a host name/);
    expect(() => parseNoProxy("10.0.0.0/40")).toThrow(/is not a host name/);
    expect(() => parseNoProxy("example.com:99999")).toThrow(/is not a host name/);
  });
});
