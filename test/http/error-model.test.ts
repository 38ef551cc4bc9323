/**
 * The error model (docs/architecture.md, "Error model"): one JSON-RPC code per meaning, read from the one
 * table; every face answers an unknown error generically in its own format (status 500, never the
 * error's message, which only the log keeps); and the format follows the plugin that owns the route,
 * not the URL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Elysia } from "elysia";
import { adminPlugin } from "../../src/admin/plugin";
import { apiPlugin } from "../../src/api/plugin";
import { authPlugin } from "../../src/auth/plugin";
import { healthPlugin } from "../../src/http/health";
import { mcpPlugin } from "../../src/mcp/plugin";
import { RPC } from "../../src/mcp/rpc-errors";
import { oauthJsonEndpoints, oauthPlugin } from "../../src/oauth/plugin";
import { makeApp, req, type TestApp } from "../helpers";

const SECRET = "internal detail: no such table secret_things (sk_live_do_not_echo)";
const boom = () => {
  throw new Error(SECRET);
};

describe("JSON-RPC codes", () => {
  test("no two meanings share a code in the table", () => {
    const byCode = new Map<number, string[]>();
    for (const [meaning, code] of Object.entries(RPC)) byCode.set(code, [...(byCode.get(code) ?? []), meaning]);
    const shared = [...byCode.entries()].filter(([, meanings]) => meanings.length > 1);
    expect(shared).toEqual([]);
    // JSON-RPC 2.0 §5.1: its own codes, or server-defined ones in -32000..-32099 (MCP's -32002 included).
    const standard = new Set([-32700, -32600, -32601, -32602, -32603]);
    for (const code of byCode.keys()) expect(standard.has(code) || (code <= -32000 && code >= -32099)).toBe(true);
  });

  test("codes come from the table: no JSON-RPC code literal in src outside it", () => {
    const root = join(import.meta.dir, "../../src");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && !path.endsWith(join("mcp", "rpc-errors.ts"))) {
          readFileSync(path, "utf8").split("\n").forEach((line, i) => {
            const code = line.trim();
            if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) return;
            if (/-32[0-7]\d\d\b/.test(code)) offenders.push(`${path.slice(root.length + 1)}:${i + 1}`);
          });
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});

describe("an unknown error on each face is answered generically, in that face's format", () => {
  let t: TestApp;
  let app: Elysia;
  beforeAll(async () => {
    t = await makeApp();
    // Each face's own plugin with one more route that throws: the route is added after the plugin's
    // local onError, exactly like the face's real routes.
    app = new Elysia()
      .use(healthPlugin(t.deps).get("/healthz/boom", boom))
      .use(oauthJsonEndpoints(t.deps).post("/oauth/boom", boom, { parse: "none" }))
      .use((await oauthPlugin(t.deps)).get("/oauth/page-boom", boom))
      .use(authPlugin(t.deps).get("/login/boom", boom))
      .use(adminPlugin(t.deps).get("/admin/boom", boom))
      .use(apiPlugin(t.deps).get("/api/v1/boom", boom))
      .use(mcpPlugin(t.deps).post("/:org/:project/boom", boom, { parse: "none" })) as unknown as Elysia;
  });
  afterAll(() => t.close());

  const hit = async (path: string, method = "GET") => {
    const res = await app.handle(new Request(`http://localhost${path}`, { method }));
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("secret_things");
    expect(text).not.toContain("sk_live");
    return { res, text };
  };

  test("pages (sign-in, settings, authorize, health): the generic HTML page with a way back", async () => {
    for (const path of ["/login/boom", "/admin/boom", "/oauth/page-boom", "/healthz/boom"]) {
      const { res, text } = await hit(path);
      expect({ path, type: res.headers.get("content-type") }).toEqual({ path, type: expect.stringContaining("text/html") });
      expect(text).toContain("Something went wrong");
      expect(text).toContain('href="/"');
    }
  });

  test("JSON API: the problem shape with code internal", async () => {
    const { text } = await hit("/api/v1/boom");
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "internal error" } });
  });

  test("OAuth JSON endpoints: server_error with CORS and no-store", async () => {
    const { res, text } = await hit("/oauth/boom", "POST");
    expect(JSON.parse(text)).toEqual({ error: "server_error", error_description: "internal error" });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  test("MCP endpoints: a JSON-RPC internal error with id null", async () => {
    const { text } = await hit("/acme/shop/boom", "POST");
    expect(JSON.parse(text)).toEqual({ jsonrpc: "2.0", id: null, error: { code: RPC.INTERNAL_ERROR, message: "internal error" } });
  });

  test("the log keeps the cause for the administrator", () => {
    expect(t.logs.text).toContain("secret_things");
  });
});

describe("the format follows the plugin that owns the route", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(() => t.close());

  test("an address no route matches is the app's 404 page; the API's and OAuth's own addresses answer in their format", async () => {
    const page = await req(t.app, "/no/such/page");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    const api = await req(t.app, "/api/v1/no/such/thing", { method: "POST" });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const token = await req(t.app, "/oauth/token");
    expect(token.status).toBe(404);
    expect(((await token.json()) as { error: string }).error).toBe("invalid_request");
    const preflight = await req(t.app, "/oauth/token", { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
  });
});
