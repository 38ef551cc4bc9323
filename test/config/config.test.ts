import { describe, expect, test } from "bun:test";
import { CONFIG_FLAGS, CONFIG_HELP, ConfigError, loadConfig } from "../../src/config";

const fails = (flags: Record<string, string>, env: Record<string, string> = {}) => {
  try {
    loadConfig(flags, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.flag;
    throw err;
  }
  throw new Error("expected a ConfigError");
};

describe("config", () => {
  test("defaults: loopback on 8787, ./data, public URL from the port", () => {
    const c = loadConfig({}, {});
    expect([c.host, c.port, c.dataDir, c.publicUrl, c.publicUrlFromPort]).toEqual(["127.0.0.1", 8787, "./data", "http://127.0.0.1:8787", true]);
  });

  test("PORTICO_* env is read and flags win over it", () => {
    const env = { PORTICO_PORT: "9000", PORTICO_PUBLIC_URL: "https://p.example.com", PORTICO_TRUSTED_PROXY: "true", PORTICO_ALLOWED_ORIGINS: "https://a.example, https://b.example" };
    const c = loadConfig({ port: "9100" }, env);
    expect(c.port).toBe(9100);
    expect(c.publicUrl).toBe("https://p.example.com");
    expect(c.publicUrlFromPort).toBe(false);
    expect(c.trustedProxy).toMatchObject({ kind: "ranges", spec: "127.0.0.0/8,::1/128" });
    expect(c.allowedOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  test("a wrong value names its flag, also when it came from env", () => {
    expect(fails({ port: "70000" })).toBe("port");
    expect(fails({}, { PORTICO_PORT: "abc" })).toBe("port");
    expect(fails({ publicUrl: "https://p.example.com/" })).toBe("public-url");
    expect(fails({ publicUrl: "https://p.example.com/portico" })).toBe("public-url");
    expect(fails({ logLevel: "loud" })).toBe("log-level");
    expect(fails({ sessionIdleTtl: "-1" })).toBe("session-idle-ttl");
    expect(fails({ tlsCert: "cert.pem" })).toBe("tls-key");
    expect(fails({ tlsKey: "key.pem" })).toBe("tls-cert");
  });

  test("the outbound proxy defaults from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (upper case first); PORTICO_* and flags win", () => {
    const c = loadConfig({}, { https_proxy: "http://lower:1", HTTPS_PROXY: "proxy.corp:3128", http_proxy: "http://plain.corp:3128", no_proxy: "internal.example, 203.0.113.0/24" });
    expect([c.httpsProxy, c.httpProxy, c.noProxy]).toEqual(["http://proxy.corp:3128", "http://plain.corp:3128", ["internal.example", "203.0.113.0/24"]]);
    expect(loadConfig({}, { HTTPS_PROXY: "http://std:1", PORTICO_HTTPS_PROXY: "http://ours:2" }).httpsProxy).toBe("http://ours:2");
    expect(loadConfig({ httpsProxy: "http://flag:3" }, { PORTICO_HTTPS_PROXY: "http://ours:2" }).httpsProxy).toBe("http://flag:3");
    const none = loadConfig({}, {});
    expect([none.httpsProxy, none.httpProxy, none.noProxy]).toEqual([undefined, undefined, []]);
  });

  test("OpenTelemetry settings default from the standard OTEL_* names; PORTICO_* and flags win; a bad URL names its flag only", () => {
    const c = loadConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/t", OTEL_SERVICE_NAME: "gw" });
    expect([c.otlpEndpoint, c.otlpTracesEndpoint, c.otlpMetricsEndpoint, c.otelServiceName]).toEqual(["http://collector:4318", "http://collector:4318/t", undefined, "gw"]);
    expect(loadConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://std:1", PORTICO_OTLP_ENDPOINT: "http://ours:2" }).otlpEndpoint).toBe("http://ours:2");
    expect(loadConfig({ otlpEndpoint: "http://flag:3" }, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://std:1" }).otlpEndpoint).toBe("http://flag:3");
    expect(loadConfig({}, {}).otlpEndpoint).toBeUndefined();
    expect(fails({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "not a url key=s3cret" })).toBe("otlp-endpoint");
  });

  test("a bad proxy setting names its flag and never repeats the value (it may hold a password)", () => {
    expect(fails({}, { HTTPS_PROXY: "https://ops:hunter2@proxy.corp:3129" })).toBe("https-proxy");
    expect(fails({ httpProxy: "socks5://ops:hunter2@proxy.corp:1080" })).toBe("http-proxy");
    expect(fails({}, { NO_PROXY: "ok.example, http://bad.example/" })).toBe("no-proxy");
    try {
      loadConfig({}, { HTTPS_PROXY: "http://ops:hunter2@proxy.corp:3128/path" });
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err)).not.toContain("hunter2");
    }
  });

  test("every setting has a help line (serve --help and the README table use them)", () => {
    expect(CONFIG_HELP.map(([f]) => f).sort()).toEqual([...CONFIG_FLAGS].sort());
    // Described once, in the schema (issue 13): a setting without a description has no help line.
    for (const [flag, help] of CONFIG_HELP) expect({ flag, described: help.length > 10 }).toEqual({ flag, described: true });
  });
});
