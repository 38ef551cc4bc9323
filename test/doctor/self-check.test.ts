/**
 * Issue 17, the self-check: the server walks its own public URL the way a host does (401 → RFC 9728 metadata →
 * RFC 8414 metadata) over real HTTP, and names each thing a host would trip over. Loopback test servers are
 * http on a high port: for this computer's own address both are fine (local hosts connect; MCP allows http on
 * loopback), so those items pass and say that hosted apps cannot reach it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { updateProject } from "../../src/projects/projects";
import { selfCheck } from "../../src/services/doctor-self-check";
import { runSelfCheck } from "../../src/doctor/self-check";
import type { SelfCheckItem } from "../../src/doctor/report";
import { freePort, startTestServer } from "../helpers";
import { seedWorld } from "../fixtures/world";

const FULL = ["https", "port-443", "mcp-challenge", "resource-metadata", "resource", "authorization-server", "as-metadata", "issuer", "endpoints-origin", "iss-parameter", "draft-url"];

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});


/** A real listener with the seeded world; `check()` runs the self-check of acme/shop as the server does. */
async function portico(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(overrides);
  stops.push(() => server.stop());
  const world = await seedWorld(server.deps, { sessions: false });
  return { server, world, check: () => selfCheck(server.deps, world) };
}

const failed = (items: SelfCheckItem[]) => items.filter((i) => !i.ok).map((i) => i.id);
const item = (items: SelfCheckItem[], id: string) => items.find((i) => i.id === id)!;

describe("the self-check of the public URL", () => {
  test("the self-check's own requests are not recorded as a host's connection steps", async () => {
    const { server, world, check } = await portico();
    const rows = async () => (await server.deps.db.select().from(server.deps.db.t.handshakeEvents)).filter((r) => r.projectId === world.project.id);
    const before = (await rows()).length;
    expect(failed(await check())).toEqual([]);
    expect((await rows()).length).toBe(before);
  });

  test("a server whose public URL is its own passes every item; the loopback http port is fine for local hosts and says hosted apps cannot reach it", async () => {
    const { server, check } = await portico();
    const items = await check();
    expect(items.map((i) => i.id)).toEqual(FULL);
    expect(failed(items)).toEqual([]);
    expect(item(items, "https")).toMatchObject({ title: "http is allowed: the public URL is this computer's own address" });
    expect(item(items, "https").detail).toContain("Claude, ChatGPT and other hosted apps cannot");
    expect(item(items, "port-443").detail).toContain("hosted apps would need 443, but they cannot reach 127.0.0.1 anyway");
    expect(item(items, "mcp-challenge").detail).toBe(
      `POST ${server.url}/acme/shop (initialize, no token) → 401, resource_metadata ${server.url}/.well-known/oauth-protected-resource/acme/shop.`,
    );
    expect(item(items, "as-metadata").detail).toBe(`GET ${server.url}/.well-known/oauth-authorization-server → 200.`);
    expect(item(items, "draft-url").detail).toContain(`resource ${server.url}/acme/shop/draft`);
  });

  test("a public project's production answers without sign-in, so the walk starts at the draft URL", async () => {
    const { server, world, check } = await portico();
    await updateProject(server.deps.db, world.project.id, { visibility: "public" });
    world.project.visibility = "public";
    const items = await check();
    expect(failed(items)).toEqual([]);
    expect(items.map((i) => i.id)).toEqual(FULL.filter((id) => id !== "draft-url"));
    expect(item(items, "mcp-challenge").title).toContain("draft MCP URL");
    expect(item(items, "resource").detail).toBe(`resource is ${server.url}/acme/shop/draft.`);
  });

  test("when nothing answers at the public URL, the walk stops at one failed item that says so", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { check } = await portico({ publicUrl: dead });
    const items = await check();
    expect(items.map((i) => [i.id, i.ok])).toEqual([["https", true], ["port-443", true], ["mcp-challenge", false]]);
    expect(item(items, "mcp-challenge").detail).toStartWith(`Fetching ${dead}/acme/shop failed: the server cannot reach its own public URL: `);
    expect(item(items, "mcp-challenge").detail).toContain("behind a proxy, this can be normal — check from outside");
  });

  test("a public URL that reaches another instance configured with another URL: each mismatch is a named failed item with the fix", async () => {
    // B listens on PB but believes its URL is http://localhost:PB; A's public URL points at B as http://127.0.0.1:PB.
    const port = await freePort();
    await portico({ port, publicUrl: `http://localhost:${port}` });
    const { check } = await portico({ publicUrl: `http://127.0.0.1:${port}` });
    const items = await check();
    expect(items.map((i) => i.id)).toEqual(FULL);
    expect(failed(items)).toEqual(["resource-metadata", "resource", "authorization-server", "issuer", "draft-url"]);
    expect(item(items, "resource").detail).toStartWith(
      `resource is http://localhost:${port}/acme/shop, but hosts were given http://127.0.0.1:${port}/acme/shop; they refuse metadata for another resource (RFC 9728 §3.3).`,
    );
    expect(item(items, "issuer").detail).toStartWith(`issuer is http://localhost:${port}, not the public URL http://127.0.0.1:${port}.`);
    for (const id of failed(items)) expect(item(items, id).detail).toContain("set PORTICO_PUBLIC_URL (--public-url)");
    // B's own documents are consistent with each other: one origin, iss advertised.
    expect(item(items, "endpoints-origin").ok).toBe(true);
  });

  test("whatever answers at the public URL with documents of its own: issuer mismatch, endpoints on another origin, no iss, a disagreeing OpenID document", async () => {
    // Not Portico: a server (a misrouted proxy's upstream) serving its own metadata at the public URL.
    const fake = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        const url = new URL(req.url);
        const origin = url.origin;
        if (req.method === "POST") return new Response("", { status: 401, headers: { "www-authenticate": `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource${url.pathname}"` } });
        if (url.pathname.startsWith("/.well-known/oauth-protected-resource/")) {
          return Response.json({ resource: `${origin}${url.pathname.slice("/.well-known/oauth-protected-resource".length)}`, authorization_servers: [origin] });
        }
        if (url.pathname === "/.well-known/oauth-authorization-server") {
          return Response.json({ issuer: "https://login.example.com", authorization_endpoint: "https://login.example.com/authorize", token_endpoint: `${origin}/token` });
        }
        if (url.pathname === "/.well-known/openid-configuration") return Response.json({ issuer: "https://id.example.com" });
        return new Response("not found", { status: 404 });
      },
    });
    stops.push(() => fake.stop(true));
    const items = await runSelfCheck({ publicUrl: fake.url.origin, org: "acme", project: "shop", productionPublic: false });
    expect(failed(items)).toEqual(["oidc-metadata", "issuer", "endpoints-origin", "iss-parameter"]);
    expect(item(items, "issuer").detail).toStartWith(`issuer is https://login.example.com, but the resource metadata names ${fake.url.origin}: hosts refuse a mismatch (RFC 8414 §3.3).`);
    expect(item(items, "endpoints-origin").detail).toStartWith(`token_endpoint is ${fake.url.origin}/token, on ${fake.url.origin} — not on the issuer's origin https://login.example.com.`);
    expect(item(items, "oidc-metadata").detail).toContain("names issuer https://id.example.com");
  });

  test("a public URL that does not answer within the timeout is a failed item, not a hang", async () => {
    const silent = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Promise<Response>(() => {}) });
    stops.push(() => silent.stop(true));
    const items = await runSelfCheck({ publicUrl: silent.url.origin, org: "acme", project: "shop", productionPublic: false }, { timeoutMs: 200 });
    expect(item(items, "mcp-challenge").detail).toContain("the server cannot reach its own public URL: no answer within 0.2 s");
  });

  test("a public URL that answers, but not every request, cannot stretch the walk beyond its budget", async () => {
    // The 401 and the resource metadata answer at once; the authorization server metadata never does.
    const stuck = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        const url = new URL(req.url);
        if (req.method === "POST") return new Response("", { status: 401, headers: { "www-authenticate": `Bearer resource_metadata="${url.origin}/.well-known/oauth-protected-resource/acme/shop"` } });
        if (url.pathname.startsWith("/.well-known/oauth-protected-resource/")) return Response.json({ resource: `${url.origin}/acme/shop`, authorization_servers: [url.origin] });
        return new Promise<Response>(() => {});
      },
    });
    stops.push(() => stuck.stop(true));
    const items = await runSelfCheck({ publicUrl: stuck.url.origin, org: "acme", project: "shop", productionPublic: false }, { timeoutMs: 20_000, budgetMs: 1500 });
    expect(items.map((i) => [i.id, i.ok])).toEqual([
      ["https", true], ["port-443", true], ["mcp-challenge", true], ["resource-metadata", true], ["resource", true], ["authorization-server", true], ["as-metadata", false],
    ]);
    expect(item(items, "as-metadata").detail).toContain("the self-check ran out of its 1.5 s");
  });

  test("a non-loopback http URL on another port fails both https and 443, before anything is fetched", async () => {
    const items = await runSelfCheck(
      { publicUrl: "http://portico.invalid:8080", org: "acme", project: "shop", productionPublic: false },
      { timeoutMs: 500 },
    );
    expect(items.slice(0, 2).map((i) => [i.id, i.ok, i.title])).toEqual([
      ["https", false, "Hosts reach Portico over https"],
      ["port-443", false, "The public URL is on port 443"],
    ]);
    expect(item(items, "https").detail).toContain("set PORTICO_PUBLIC_URL to its https:// address");
    expect(item(items, "port-443").detail).toContain("connect only on 443");
  });
});

describe("where the answers point", () => {
  test("metadata that points to an address nobody answers at is named as such, not as this server's own URL; non-web URLs are never fetched", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    let rm = `${dead}/.well-known/oauth-protected-resource/acme/shop`;
    const fake = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response("", { status: 401, headers: { "www-authenticate": `Bearer resource_metadata="${rm}"` } }),
    });
    stops.push(() => fake.stop(true));
    const target = { publicUrl: fake.url.origin, org: "acme", project: "shop", productionPublic: false };
    let items = await runSelfCheck(target);
    expect(item(items, "resource-metadata")).toMatchObject({ ok: false });
    expect(item(items, "resource-metadata").detail).toStartWith(`Fetching ${rm} failed: `);
    expect(item(items, "resource-metadata").detail).toContain(`which should name ${fake.url.origin} instead`);
    rm = "file:///etc/passwd";
    items = await runSelfCheck(target);
    expect(item(items, "resource-metadata").detail).toStartWith("Fetching file:///etc/passwd failed: file:///etc/passwd is not an http(s) URL.");
  });
});
