/**
 * Issue 12, "A proxy, for real": Debian's `caddy`, configured with the README's own recipe, terminates https
 * (Caddy's local CA) in front of a real `portico serve --trusted-proxy` whose public URL is the proxy's
 * origin. Everything a host does goes through the proxy: OAuth discovery, DCR, sign-in and consent (plain
 * form posts, as a browser sends them), code exchange and refresh; an MCP session whose GET notification
 * stream receives `notifications/tools/list_changed` after a CLI publish; tool calls answered as SSE; and the
 * client IP Portico records is the one the proxy saw, never an X-Forwarded-For the client made up.
 * Fails (never skips) when caddy is missing: "caddy not installed: apt-get install caddy".
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { s256 } from "../../src/lib/crypto";
import { CookieJar, hiddenField, tempDir } from "../helpers";
import { porticoBehindCaddy, readmeCaddyfile, requireCaddy, type CaddyChild } from "./support/caddy";
import { httpsFrom } from "./support/https-from";
import { portico, provision, type Project, type ServeChild } from "./support/portico";

const REDIRECT_URI = "http://127.0.0.1:45999/callback";
/** Documentation addresses (RFC 5737): what a client that lies about its address would put in the header. */
const SPOOFED = "203.0.113.7";

const SHOP_MANIFEST = join(import.meta.dir, "fixtures/shop-manifest.json");

let project: Project;
let server: ServeChild | undefined;
let caddy: CaddyChild | undefined;
let origin: string;
let mcpUrl: string;
let client: Client | undefined;

/** fetch that trusts Caddy's local CA (and nothing else extra): Portico is reached only through the proxy. */
const viaProxy = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => fetch(input, { ...init, tls: { ca: caddy!.ca } });

/** What the MCP client's transport sent and got back, in order: method, JSON-RPC method, status, content type. */
const exchanges: Array<{ method: string; rpc: string | null; status: number; type: string }> = [];
const recordingFetch = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
  const res = await viaProxy(input, init);
  const rpc = typeof init.body === "string" ? ((JSON.parse(init.body) as { method?: string }).method ?? null) : null;
  exchanges.push({ method: init.method ?? "GET", rpc, status: res.status, type: res.headers.get("content-type") ?? "" });
  return res;
};

/** Set by the OAuth test, used by the MCP tests. */
let tokens: { access_token: string; refresh_token: string; clientId: string } | undefined;
let jar: CookieJar;

beforeAll(async () => {
  requireCaddy();
  project = await provision({ manifestFile: SHOP_MANIFEST, name: "Shop" });
  ({ server, caddy, origin } = await porticoBehindCaddy(project.dataDir));
  mcpUrl = `${origin}/${project.org}/${project.slug}`;
}, 60_000);

// Stopping drains open SSE streams through the proxy and waits for Caddy: seconds, not bun's 5 s default.
afterAll(async () => {
  await client?.close().catch(() => {});
  await caddy?.stop();
  await server?.stop();
}, 30_000);

/** The project's audit events matching `query`, once the batched writer has flushed at least `min`. */
async function auditRows(query: string, min = 1): Promise<Record<string, unknown>[]> {
  let events: Record<string, unknown>[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await viaProxy(`${origin}/api/v1/projects/${project.org}/${project.slug}/audit?${query}`, { headers: { authorization: `Bearer ${project.key}` } });
    events = ((await res.json()) as { events: Record<string, unknown>[] }).events;
    if (events.length >= min) return events;
    await Bun.sleep(100);
  }
  return events;
}

/** The project's own tools the client lists (without Portico's `portico_*` management tools). */
async function projectTools(): Promise<string[]> {
  return (await client!.listTools()).tools.map((t) => t.name).filter((n) => !n.startsWith("portico_")).sort();
}

/** Caddy's output on failure: a proxy problem is then readable from the test's own message. */
async function withProxyLog<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.stack : err}\n--- caddy output ---\n${caddy?.output().slice(-3000)}`);
  }
}

describe("Caddy in front of Portico (README recipe)", () => {
  test("runs the README's caddyfile block verbatim, with only the site address and upstream port replaced", async () => {
    const recipe = readmeCaddyfile();
    const substituted = recipe.replace("portico.example.com", origin).replace("127.0.0.1:8787", `127.0.0.1:${server!.port}`);
    expect(caddy!.caddyfile.endsWith(substituted)).toBe(true);
    expect(recipe).toContain("flush_interval -1");
    // Real TLS: without Caddy's local CA the certificate is not trusted.
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
    const health = await viaProxy(`${origin}/healthz`);
    expect(health.status).toBe(200);
  });

  test("OAuth through the proxy: discovery over https, DCR, sign-in, consent, code exchange and refresh", async () => {
    await withProxyLog(async () => {
      // 1. An unauthenticated MCP request points at the resource metadata, on the proxy's origin.
      const challenge = await viaProxy(mcpUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "proxy-e2e", version: "1" } } }),
      });
      expect(challenge.status).toBe(401);
      const prmUrl = /resource_metadata="([^"]+)"/.exec(challenge.headers.get("www-authenticate") ?? "")?.[1];
      expect(prmUrl).toBe(`${origin}/.well-known/oauth-protected-resource/${project.org}/${project.slug}`);

      // 2. RFC 9728 → RFC 8414: every URL is built from the public URL (the proxy), never from Host.
      const prm = (await (await viaProxy(prmUrl!)).json()) as { resource: string; authorization_servers: string[] };
      expect(prm.resource).toBe(mcpUrl);
      expect(prm.authorization_servers).toEqual([origin]);
      const as = (await (await viaProxy(`${origin}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
      expect(as.issuer).toBe(origin);
      for (const k of ["authorization_endpoint", "token_endpoint", "registration_endpoint"]) expect(as[k]!.startsWith(`${origin}/`)).toBe(true);

      // 3. DCR.
      const reg = await viaProxy(as.registration_endpoint!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_name: "Proxy E2E Host", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }),
      });
      expect(reg.status).toBe(201);
      const { client_id } = (await reg.json()) as { client_id: string };

      // 4. The browser: authorize → sign-in (with a spoofed X-Forwarded-For on every form post) → consent.
      jar = new CookieJar();
      const verifier = crypto.randomUUID() + crypto.randomUUID();
      const authorize = `${as.authorization_endpoint}?${new URLSearchParams({ response_type: "code", client_id, redirect_uri: REDIRECT_URI, code_challenge: s256(verifier), code_challenge_method: "S256", state: "proxy", resource: mcpUrl })}`;
      const toLogin = jar.store(await viaProxy(authorize, { redirect: "manual" }));
      expect([302, 303]).toContain(toLogin.status);
      const loginUrl = new URL(toLogin.headers.get("location")!, origin);
      expect(loginUrl.origin).toBe(origin);
      const loginPage = jar.store(await viaProxy(loginUrl, { headers: { cookie: jar.header } }));
      const loginHtml = await loginPage.text();
      const loginFields = { csrf: hiddenField(loginHtml, "csrf")!, return_to: hiddenField(loginHtml, "return_to") ?? "", email: project.owner.email, password: project.owner.password };
      const signedIn = jar.store(
        await viaProxy(`${origin}/login`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header, "x-forwarded-for": SPOOFED },
          body: new URLSearchParams(loginFields),
        }),
      );
      expect(signedIn.status).toBe(303);
      const consentUrl = new URL(signedIn.headers.get("location")!, origin);
      expect(consentUrl.origin).toBe(origin);
      const consent = await viaProxy(consentUrl, { headers: { cookie: jar.header } });
      const consentHtml = await consent.text();
      expect(consent.status).toBe(200);
      expect(consentHtml).toContain("Shop");
      const approved = await viaProxy(as.authorization_endpoint!, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header, "x-forwarded-for": SPOOFED },
        body: new URLSearchParams({ request_id: hiddenField(consentHtml, "request_id")!, csrf: hiddenField(consentHtml, "csrf")!, decision: "approve" }),
      });
      expect(approved.status).toBe(303);
      const callback = new URL(approved.headers.get("location")!);
      expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
      expect(callback.searchParams.get("iss")).toBe(origin); // RFC 9207
      expect(callback.searchParams.get("state")).toBe("proxy");

      // 5. Code exchange, then a refresh, both through the proxy.
      const token = (fields: Record<string, string>) =>
        viaProxy(as.token_endpoint!, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
      const exchanged = await token({ grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id, resource: mcpUrl });
      expect(exchanged.status).toBe(200);
      expect(exchanged.headers.get("cache-control")).toContain("no-store");
      const first = (await exchanged.json()) as { access_token: string; refresh_token: string };
      const refreshed = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token, client_id });
      expect(refreshed.status).toBe(200);
      const second = (await refreshed.json()) as { access_token: string; refresh_token: string };
      expect(second.refresh_token).not.toBe(first.refresh_token);
      const audience = JSON.parse(Buffer.from(second.access_token.split(".")[1]!, "base64url").toString()).aud;
      expect(audience).toBe(mcpUrl);
      tokens = { ...second, clientId: client_id };
    });
  }, 30_000);

  test("MCP session through the proxy: the GET notification stream receives tools/list_changed after a CLI publish", async () => {
    expect(tokens).toBeDefined();
    await withProxyLog(async () => {
      const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
        fetch: recordingFetch,
        requestInit: { headers: { authorization: `Bearer ${tokens!.access_token}` } },
      });
      client = new Client({ name: "proxy-e2e", version: "1.0.0" });
      const listChanged = Promise.withResolvers<void>();
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => listChanged.resolve());
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe("Shop");
      expect(await projectTools()).toEqual(["card", "echo"]);

      // The SDK opens the GET stream after `notifications/initialized`; wait until it is open through Caddy.
      for (let i = 0; i < 100 && !exchanges.some((e) => e.method === "GET" && e.status === 200); i++) await Bun.sleep(50);
      expect(exchanges.find((e) => e.method === "GET")).toMatchObject({ status: 200, type: expect.stringContaining("text/event-stream") });

      // An operator publishes a new tool with the CLI, on the data dir, while the server runs.
      const manifest = JSON.parse(readFileSync(SHOP_MANIFEST, "utf8"));
      manifest.tools.push({
        name: "count",
        title: "Count",
        kind: "script",
        description: "Counts to n, reporting progress.",
        inputSchema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
        script: 'export default async (input, env) => {\n  for (let i = 1; i <= input.n; i++) env.progress(i, input.n, "step " + i);\n  env.log("info", "counted to " + input.n);\n  return { counted: input.n };\n};',
      });
      const file = join(tempDir("portico-proxy-manifest-"), "manifest.json");
      writeFileSync(file, JSON.stringify(manifest));
      await portico(project.dataDir, "project", "import", "--project", `${project.org}/${project.slug}`, "--file", file);
      await portico(project.dataDir, "publish", "--project", `${project.org}/${project.slug}`, "--as", project.owner.email);

      // No POST is open now: only the GET stream can carry the notification, so it came through Caddy as written.
      const arrived = await Promise.race([listChanged.promise.then(() => true), Bun.sleep(15_000).then(() => false)]);
      expect(arrived).toBe(true);
      expect(await projectTools()).toEqual(["card", "count", "echo"]);
    });
  }, 30_000);

  test("a tools/call answered as Server-Sent Events arrives through the proxy with its progress and log notifications", async () => {
    expect(client).toBeDefined();
    await withProxyLog(async () => {
      const logs: string[] = [];
      client!.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
      const progress: number[] = [];
      const result = await client!.callTool({ name: "count", arguments: { n: 3 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ counted: 3 });
      expect(progress).toEqual([1, 2, 3]);
      expect(logs.some((l) => l.includes("counted to 3"))).toBe(true);
      const call = exchanges.filter((e) => e.method === "POST" && e.rpc === "tools/call").at(-1);
      expect(call).toMatchObject({ status: 200, type: expect.stringContaining("text/event-stream") });
    });
  }, 30_000);

  test("audit rows and grants record the client the proxy saw, never a spoofed X-Forwarded-For", async () => {
    expect(client).toBeDefined();
    await withProxyLog(async () => {
      // The grant was approved by a consent form post that carried a spoofed header; Caddy replaced it.
      const grantsRes = await viaProxy(`${origin}/api/v1/account/grants`, { headers: { cookie: jar.header } });
      expect(grantsRes.status).toBe(200);
      const { grants } = (await grantsRes.json()) as { grants: Array<{ clientId: string; ip: string | null }> };
      expect(grants.find((g) => g.clientId === tokens!.clientId)?.ip).toBe("127.0.0.1");

      // A call from another loopback address, lying about its own: Portico's socket peer is Caddy
      // (127.0.0.1), so recording 127.0.0.2 proves the forwarded address is used — and only Caddy's.
      const transport = client!.transport as StreamableHTTPClientTransport;
      const res = await httpsFrom("127.0.0.2", mcpUrl, {
        method: "POST",
        ca: caddy!.ca,
        headers: {
          authorization: `Bearer ${tokens!.access_token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": transport.sessionId!,
          "mcp-protocol-version": transport.protocolVersion ?? "2025-11-25",
          "x-forwarded-for": SPOOFED,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/call", params: { name: "echo", arguments: { text: "from 127.0.0.2" } } }),
      });
      expect(res.status).toBe(200);
      expect(res.body).toContain("from 127.0.0.2");

      const rows = await auditRows("tool=echo");
      expect(rows.find((r) => String(r.input).includes("from 127.0.0.2"))?.ip).toBe("127.0.0.2");
      const countRows = await auditRows("tool=count");
      expect(countRows[0]?.ip).toBe("127.0.0.1");
      const everything = await auditRows("limit=200");
      expect(everything.some((r) => r.ip === SPOOFED)).toBe(false);
    });
  }, 30_000);
});
