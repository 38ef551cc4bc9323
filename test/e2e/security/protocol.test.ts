/**
 * Hostile input on the MCP endpoint and the token check, against a real `portico serve`: malformed and
 * oversized JSON-RPC bodies, batch abuse, wrong content types, bad JWTs, header tricks and path tricks in
 * org/project slugs. Every answer is a 4xx (or a JSON-RPC error), never a 5xx or a stack trace, and the
 * server stays up after each group. (test/oauth covers the token rules themselves; this is the abuse.)
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import { PASSWORD } from "../support/portico";
import { obtainTokens, signIn } from "../support/oauth";
import { expectHealthy, expectSafe, mcpPost, rawHttp, startWorld, type World } from "./world";

// Real processes, argon2 and many requests per test: bun 1.4.5 ignores bunfig's timeout, so set it here.
setDefaultTimeout(60_000);

let w: World;
beforeAll(async () => {
  // A small body cap so "oversized" is cheap to send.
  w = await startWorld(["--max-body-bytes", "65536"]);
}, 60_000);
afterAll(() => w?.server.stop());

const call = (id: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } }, ...extra });

describe("JSON-RPC bodies", () => {
  test("malformed, empty, wrong-shaped and deeply nested bodies get JSON-RPC errors", async () => {
    const bodies = [
      "", "{", "nul", "null", "123", '"str"', "{}", "[]", "[1,2]", '{"jsonrpc":"1.0","id":1,"method":"ping"}',
      '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', '{"jsonrpc":"2.0","id":1,"method":42}',
      '{"jsonrpc":"2.0","id":1,"method":"__proto__"}', '{"jsonrpc":"2.0","id":1,"method":"constructor"}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1,2]}', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}',
      call(1, { params: { name: "echo", arguments: { text: "x", __proto__: { polluted: true } } } }),
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"../../etc/passwd"}}',
      "[".repeat(5_000) + "]".repeat(5_000),
      `{"jsonrpc":"2.0","id":1,"method":"ping","params":${'{"a":'.repeat(3_000)}1${"}".repeat(3_000)}}`,
      "\u0000\u0001\u0002", "\uFEFF" + call(1),
    ];
    for (const body of bodies) {
      const res = await mcpPost(w, body);
      const text = await expectSafe(res, `body ${body.slice(0, 40)}`);
      expect(res.status, body.slice(0, 40)).toBeLessThan(500);
      if (res.status !== 202 && res.headers.get("content-type")?.includes("json")) expect(() => JSON.parse(text)).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectHealthy(w);
  });

  test("invalid UTF-8 and a body over the cap (413) are refused", async () => {
    expect((await mcpPost(w, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).status).toBe(400);
    const big = call(1, { params: { name: "echo", arguments: { text: "x".repeat(200_000) } } });
    const res = await mcpPost(w, big);
    await expectSafe(res, "oversized");
    expect(res.status).toBe(413);
    // A lying Content-Length on a raw socket: answered or closed, never a crash.
    const raw = await rawHttp(w.server.port, `POST /acme/shop HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${w.key}\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{"jsonrpc":"2.0"}`);
    expect(raw).not.toMatch(/^HTTP\/1\.1 5/);
    await expectHealthy(w);
  });

  test("batches: refused on current protocols, bounded on 2025-03-26, initialize never batched", async () => {
    const batch = JSON.stringify(Array.from({ length: 500 }, (_, i) => JSON.parse(call(i))));
    const refused = await mcpPost(w, batch, { "mcp-protocol-version": "2025-11-25" });
    await expectSafe(refused, "batch");
    expect(refused.status).toBe(400);
    const legacy = await mcpPost(w, JSON.stringify(Array.from({ length: 50 }, (_, i) => JSON.parse(call(i)))), { "mcp-protocol-version": "2025-03-26" });
    const replies = JSON.parse(await expectSafe(legacy, "legacy batch"));
    expect(replies.length).toBe(50);
    const withInit = JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "x", version: "1" } } }, JSON.parse(call(2))]);
    expect((await mcpPost(w, withInit, { "mcp-protocol-version": "2025-03-26" })).status).toBe(400);
    const nested = await mcpPost(w, JSON.stringify([[JSON.parse(call(1))], []]), { "mcp-protocol-version": "2025-03-26" });
    await expectSafe(nested, "nested batch");
    const notifications = await mcpPost(w, JSON.stringify(Array.from({ length: 100 }, () => ({ jsonrpc: "2.0", method: "notifications/initialized" }))), { "mcp-protocol-version": "2025-03-26" });
    await expectSafe(notifications, "notification batch");
    await expectHealthy(w);
  });

  test("wrong content types get 415, a bad protocol version header 400", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", ""]) {
      const res = await mcpPost(w, call(1), { "content-type": type });
      await expectSafe(res, `content-type ${type}`);
      expect(res.status, type).toBe(415);
    }
    const version = await mcpPost(w, call(1), { "mcp-protocol-version": "1999-01-01" });
    expect(version.status).toBe(400);
    const accept = await mcpPost(w, call(1), { accept: "text/html" });
    await expectSafe(accept, "accept text/html");
    await expectHealthy(w);
  });
});

/** base64url of a JSON value or a string. */
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

describe("bearer tokens", () => {
  test("garbage, truncated, re-signed, alg:none and huge JWTs get 401 invalid_token with WWW-Authenticate", async () => {
    const jar = await signIn(w.base, w.email, PASSWORD);
    const { access_token } = await obtainTokens(w.base, jar, w.mcpUrl);
    const [header, payload, signature] = access_token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const jwks = await (await fetch(`${w.base}/.well-known/jwks.json`)).text();
    const forged = (h: object, p: object, key = "secret") => {
      const signing = `${b64(h)}.${b64(p)}`;
      return `${signing}.${createHmac("sha256", key).update(signing).digest("base64url")}`;
    };
    const bad = [
      "garbage", "a.b.c", "...", access_token.slice(0, -10), `${header}.${payload}`, `${header}.${payload}.`,
      `${header}.${b64({ ...claims, sub: "usr_someone_else" })}.${signature}`,
      `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
      forged({ alg: "HS256", typ: "JWT", kid: JSON.parse(header ? Buffer.from(header, "base64url").toString() : "{}").kid }, claims, jwks),
      forged({ alg: "HS256", kid: "../../../../etc/passwd" }, claims),
      `${b64({ alg: "EdDSA", kid: "x".repeat(5000) })}.${payload}.${signature}`,
      `${header}.${b64("x".repeat(60_000))}.${signature}`,
      "prt_" + "0".repeat(40), "prt_", "Bearer", "\u00e9\u00e9\u00e9",
    ];
    for (const token of bad) {
      const res = await mcpPost(w, call(1), { authorization: `Bearer ${token}` });
      await expectSafe(res, `token ${token.slice(0, 30)}`);
      expect([401, 431]).toContain(res.status);
      if (res.status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
    // The genuine token still works afterwards.
    expect((await mcpPost(w, call(1), { authorization: `Bearer ${access_token}` })).status).toBe(200);
    await expectHealthy(w);
  });
});

describe("headers and paths", () => {
  test("odd session ids, schemes and header bytes are refused cleanly", async () => {
    for (const sid of ["x".repeat(8_000), "../../etc/passwd", "%0d%0aX-Injected: 1", "\u00ff\u00fe"]) {
      const res = await mcpPost(w, call(1), { "mcp-session-id": sid });
      await expectSafe(res, `session ${sid.slice(0, 20)}`);
      expect(res.headers.get("x-injected")).toBeNull();
    }
    for (const auth of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", `bearer ${w.key} extra`, "Token abc"]) {
      await expectSafe(await mcpPost(w, call(1), { authorization: auth }), `authorization ${auth}`);
    }
    const raw = await rawHttp(w.server.port, `POST /acme/shop HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: a\rX-Injected: 1\r\nContent-Length: 2\r\n\r\n{}`);
    expect(raw).not.toMatch(/^HTTP\/1\.1 5/);
    expect(raw).not.toMatch(/\r\nX-Injected/i);
    await expectHealthy(w);
  });

  test("path tricks in org/project slugs never reach another project or a 5xx", async () => {
    const paths = [
      "/acme/../acme/shop", "/%2e%2e/acme/shop", "/acme%2Fshop", "/acme/shop%2Fdraft", "/ACME/SHOP", "/Acme/Shop",
      "/acme/sh%C3%B6p", "/acme/shop%00", "/acme/shop/draft/../../admin", "//acme/shop", "/admin/shop", "/oauth/shop",
      "/.well-known/shop", "/acme/shop/draft/extra", "/acme/%2e%2e", "/acme/shop;jsessionid=1", `/${"a".repeat(5000)}/shop`,
      "/.well-known/oauth-protected-resource/../../etc/passwd", "/.well-known/oauth-protected-resource/ACME/SHOP",
    ];
    for (const path of paths) {
      const res = await fetch(`${w.base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${w.key}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: call(1),
      });
      const body = await expectSafe(res, path);
      // Only the canonical URL may run the tool (fetch resolves dot segments; the router merges repeated slashes).
      if (res.status === 200) expect(new URL(`${w.base}${path}`).pathname.replace(/\/+/g, "/"), `${path} → ${body.slice(0, 80)}`).toBe("/acme/shop");
    }
    await expectHealthy(w);
  });

  test("slugs that are reserved, uppercase, unicode or contain separators are refused by the CLI and the API", async () => {
    const jar = await signIn(w.base, w.email, PASSWORD);
    const me = await (await fetch(`${w.base}/api/v1/me`, { headers: { cookie: jar.header } })).json();
    for (const slug of ["..", "admin", "oauth", ".well-known", "shöp", "a/b", "a%2Fb", "-x", "x-", "a", "x".repeat(49), "draft", "api", " "]) {
      const res = await fetch(`${w.base}/api/v1/orgs/acme/projects`, {
        method: "POST",
        headers: { cookie: jar.header, "x-csrf-token": me.csrfToken, "content-type": "application/json" },
        body: JSON.stringify({ slug, name: "n" }),
      });
      const body = await expectSafe(res, `slug ${slug}`);
      expect(res.status, `${slug}: ${body}`).toBe(400);
    }
    // Uppercase is folded to the lowercase slug, which here already exists.
    const upper = await fetch(`${w.base}/api/v1/orgs/acme/projects`, {
      method: "POST",
      headers: { cookie: jar.header, "x-csrf-token": me.csrfToken, "content-type": "application/json" },
      body: JSON.stringify({ slug: "SHOP", name: "n" }),
    });
    expect(upper.status).toBe(409);
    const cli = Bun.spawnSync([process.execPath, "src/main.ts", "org", "create", "--slug", "../etc", "--data-dir", w.dataDir], { cwd: `${import.meta.dir}/../../..` });
    expect(cli.exitCode).toBe(2);
    expect(cli.stderr.toString()).toMatch(/--slug: .*lowercase/);
    await expectHealthy(w);
  });
});

test("nothing in this file made the server log an error", () => {
  expect(w.server.errorLogs()).toEqual([]);
});
