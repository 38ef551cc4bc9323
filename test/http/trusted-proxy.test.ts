import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config";
import { parseArgs } from "../../src/cli/args";
import { parseTrustedProxy, resolveClientIp } from "../../src/http/trusted-proxy";

describe("--trusted-proxy: the client IP is the right-most address that is not a trusted proxy", () => {
  test("without a trusted proxy the socket address is the client, whatever the header says", () => {
    expect(resolveClientIp(parseTrustedProxy(false), "198.51.100.7", "1.2.3.4")).toBe("198.51.100.7");
  });

  test("true means proxies on loopback (IPv4, IPv6 and IPv4-mapped)", () => {
    const p = parseTrustedProxy(true);
    expect(resolveClientIp(p, "127.0.0.1", "6.6.6.6, 198.51.100.7")).toBe("198.51.100.7");
    expect(resolveClientIp(p, "::1", "198.51.100.7")).toBe("198.51.100.7");
    expect(resolveClientIp(p, "::ffff:127.0.0.1", "198.51.100.7")).toBe("198.51.100.7");
    // A request that did not come through the proxy: its header is the client's own invention.
    expect(resolveClientIp(p, "203.0.113.9", "127.0.0.1")).toBe("203.0.113.9");
  });

  test("CIDR lists skip every hop of our own proxy chain, and stop at the first foreign or garbled hop", () => {
    const p = parseTrustedProxy("10.0.0.0/8, 2001:db8::/32,127.0.0.1");
    expect(resolveClientIp(p, "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3, 2001:db8::5")).toBe("198.51.100.7");
    expect(resolveClientIp(p, "10.9.9.9", "evil, 10.0.0.2")).toBe("10.0.0.2");
    expect(resolveClientIp(p, "10.9.9.9", "10.0.0.1")).toBe("10.0.0.1");
  });

  test("a hop count takes the N-th address from the right (cloud load balancers)", () => {
    expect(resolveClientIp(parseTrustedProxy("1"), "10.0.0.5", "6.6.6.6, 198.51.100.7")).toBe("198.51.100.7");
    expect(resolveClientIp(parseTrustedProxy("2"), "10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9")).toBe("198.51.100.7");
    expect(resolveClientIp(parseTrustedProxy("2"), "10.0.0.5", "not-an-ip, 10.0.0.9")).toBe("10.0.0.5");
  });

  test("the flag works alone or with a value, and a bad value names the flag", () => {
    const spec = { name: "serve", summary: "", flags: {} } as unknown as Parameters<typeof parseArgs>[1];
    expect(parseArgs(["--trusted-proxy"], spec).config.trustedProxy).toBe("true");
    expect(parseArgs(["--trusted-proxy", "--port", "1"], spec).config).toEqual({ trustedProxy: "true", port: "1" });
    expect(parseArgs(["--trusted-proxy", "10.0.0.0/8,::1"], spec).config.trustedProxy).toBe("10.0.0.0/8,::1");
    expect(loadConfig({ trustedProxy: "10.0.0.0/8" }, {}).trustedProxy).toMatchObject({ kind: "ranges" });
    expect(() => loadConfig({ trustedProxy: "10.0.0.0/40" }, {})).toThrow("--trusted-proxy");
    expect(() => loadConfig({}, { PORTICO_TRUSTED_PROXY: "proxy.example" })).toThrow("--trusted-proxy");
  });
});
