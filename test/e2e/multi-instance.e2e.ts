/**
 * Issue 15: two `portico serve` processes on one database behave as one server behind a balancer without
 * stickiness — OAuth grants, revocations (exact on the other instance's very next request), member removal
 * and role changes, list_changed after a publish, 2026-07-28 clients alternating between instances, 2025
 * sessions moving between them, one audit log, and an instance with another master key refusing to start. Each
 * backend of `BACKENDS` runs the same checks: one SQLite data dir, and one Postgres database (`--database-url`;
 * skipped, with its reason, only where there is no Postgres at all — `.ci/run` always provides one).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client as V2Client, StreamableHTTPClientTransport as V2Transport } from "@modelcontextprotocol/client";
import { obtainTokens, tokenCall } from "./support/oauth";
import { BACKENDS, browserOn, cardCall, hammerDuring, sseMessages, type CallRecord, type Pair } from "./support/instances";

setDefaultTimeout(30_000);

const DEV = { email: "dev@acme.example", role: "developer" };
const DEV2 = { email: "dev2@acme.example", role: "developer" };
const V2026 = "2026-07-28";

/** No call that started after the acknowledgement succeeded; and the hammering really straddled it. */
function expectExactCutoff(r: { calls: CallRecord[]; acknowledgedAt: number; actStatus: number }): void {
  expect(r.actStatus).toBeLessThan(300);
  const before = r.calls.filter((c) => c.end < r.acknowledgedAt);
  const after = r.calls.filter((c) => c.start > r.acknowledgedAt);
  expect(before.filter((c) => c.ok).length).toBeGreaterThan(0);
  expect(after.length).toBeGreaterThan(5);
  expect(after.filter((c) => c.ok)).toEqual([]);
  expect(after.filter((c) => c.status >= 500 || c.status === 0)).toEqual([]);
}

const statelessHeaders = (method: string, name?: string) => ({ "mcp-protocol-version": V2026, "mcp-method": method, ...(name ? { "mcp-name": name } : {}) });
const meta = (host: string) => ({ "io.modelcontextprotocol/protocolVersion": V2026, "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: host, version: "1" } });

async function post(url: string, bearer: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

for (const backend of BACKENDS) {
  const suite = backend.unavailable ? describe.skip : describe;
  suite(`two instances on one database: ${backend.name}${backend.unavailable ? ` — skipped: ${backend.unavailable}` : ""}`, () => {
    let p: Pair;
    beforeAll(async () => {
      p = await backend.start([DEV, DEV2]);
    }, 60_000);
    afterAll(() => p?.stop());

    test("an OAuth grant made through A works on B, and B rotates its refresh token", async () => {
      const owner = await browserOn(p.a, p.project.owner.email);
      const tokens = await obtainTokens(p.a.base, owner.jar, p.resource());
      expect((await cardCall(p.b.mcp(), tokens.access_token)).ok).toBe(true);
      const rotated = await tokenCall(p.b.base, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: tokens.clientId });
      expect(rotated.status).toBe(200);
      const pair = (await rotated.json()) as { access_token: string };
      expect((await cardCall(p.a.mcp(), pair.access_token)).ok).toBe(true);
    });

    test("a grant revoked on A: no call on B that started after A acknowledged succeeds", async () => {
      const owner = await browserOn(p.a, p.project.owner.email);
      const tokens = await obtainTokens(p.a.base, owner.jar, p.resource());
      const { grants } = await owner.get(`/orgs/${p.project.org}/grants?client=${tokens.clientId}`);
      expect(grants).toHaveLength(1);
      const r = await hammerDuring(p.b.mcp(), tokens.access_token, () => owner.write("DELETE", `/orgs/${p.project.org}/grants/${grants[0].id}`));
      expectExactCutoff(r);
      expect(r.calls.filter((c) => c.start > r.acknowledgedAt).every((c) => c.status === 401)).toBe(true);
    });

    test("an API key revoked on A: no call on B that started after A acknowledged succeeds", async () => {
      const made = await fetch(`${p.a.base}/api/v1/projects/${p.project.org}/${p.project.slug}/keys`, {
        method: "POST",
        headers: { authorization: `Bearer ${p.project.key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "hammered" }),
      });
      const { id, key } = (await made.json()) as { id: string; key: string };
      const r = await hammerDuring(p.b.mcp(), key, () =>
        fetch(`${p.a.base}/api/v1/projects/${p.project.org}/${p.project.slug}/keys/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${p.project.key}` } }),
      );
      expectExactCutoff(r);
    });

    test("a member removed on A: their grant stops on B with the next call", async () => {
      const dev = await browserOn(p.a, DEV.email);
      const tokens = await obtainTokens(p.a.base, dev.jar, p.resource());
      const owner = await browserOn(p.a, p.project.owner.email);
      const { members } = await owner.get(`/orgs/${p.project.org}/members`);
      const userId = members.find((m: { email: string }) => m.email === DEV.email).userId;
      const r = await hammerDuring(p.b.mcp(), tokens.access_token, () => owner.write("DELETE", `/orgs/${p.project.org}/members/${userId}`));
      expectExactCutoff(r);
    });

    test("a role lowered on A (developer → viewer): the draft grant stops on B with the next call", async () => {
      const dev = await browserOn(p.a, DEV2.email);
      const tokens = await obtainTokens(p.a.base, dev.jar, p.resource("draft"));
      const owner = await browserOn(p.a, p.project.owner.email);
      const { members } = await owner.get(`/orgs/${p.project.org}/members`);
      const userId = members.find((m: { email: string }) => m.email === DEV2.email).userId;
      const r = await hammerDuring(p.b.mcp("draft"), tokens.access_token, () => owner.write("PUT", `/orgs/${p.project.org}/members/${userId}/role`, { role: "viewer" }));
      expectExactCutoff(r);
    });

    test("a 2025 session made on A is served by B; a publish on A reaches B's GET stream and B's subscriptions/listen", async () => {
      const key = p.project.key;
      const init = await post(p.a.mcp(), key, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "old-host", version: "1" } } });
      expect(init.status).toBe(200);
      const sid = init.headers.get("mcp-session-id")!;
      await init.body?.cancel();
      const session = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
      expect((await post(p.b.mcp(), key, { jsonrpc: "2.0", method: "notifications/initialized" }, session)).status).toBe(202);
      const listed = await post(p.b.mcp(), key, { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain('"card"');

      const get = await fetch(p.b.mcp(), { headers: { authorization: `Bearer ${key}`, accept: "text/event-stream", ...session } });
      expect(get.status).toBe(200);
      const oldStream = sseMessages(get);
      const listen = await post(p.b.mcp(), key, { jsonrpc: "2.0", id: "sub", method: "subscriptions/listen", params: { notifications: { toolsListChanged: true }, _meta: meta("new-host") } }, statelessHeaders("subscriptions/listen"));
      expect(listen.status).toBe(200);
      const newStream = sseMessages(listen);
      await newStream.until((m) => m.method === "notifications/subscriptions/acknowledged");

      const api = `${p.a.base}/api/v1/projects/${p.project.org}/${p.project.slug}`;
      const write = (path: string, method: string, body: unknown) => fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect((await write("/instructions", "PUT", { instructions: `published on A at ${Date.now()}` })).status).toBe(200);
      expect((await write("/publish", "POST", { note: "from A" })).status).toBe(201);
      await oldStream.until((m) => m.method === "notifications/tools/list_changed");
      await newStream.until((m) => m.method === "notifications/tools/list_changed");

      // DELETE on A ends the session everywhere: B answers 404 and closes the GET stream it holds.
      const del = await fetch(p.a.mcp(), { method: "DELETE", headers: { authorization: `Bearer ${key}`, ...session } });
      expect(del.status).toBe(200);
      const gone = await post(p.b.mcp(), key, { jsonrpc: "2.0", id: 3, method: "tools/list" }, session);
      expect(gone.status).toBe(404);
      await Promise.all([oldStream.cancel(), newStream.cancel()]);
    });

    test("a 2026-07-28 client (SDK v2) alternating between A and B works with no affinity", async () => {
      const hits = { a: 0, b: 0 };
      let turn = 0;
      const alternate = (input: string | URL | Request, init?: RequestInit) => {
        const target = turn++ % 2 === 0 ? p.a : p.b;
        hits[target === p.a ? "a" : "b"]++;
        const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
        return fetch(`${target.base}${url.pathname}${url.search}`, init);
      };
      const client = new V2Client({ name: "roaming-host", version: "2.0.0" }, { versionNegotiation: { mode: "auto" } } as ConstructorParameters<typeof V2Client>[1]);
      await client.connect(new V2Transport(new URL(p.resource()), { fetch: alternate, requestInit: { headers: { Authorization: `Bearer ${p.project.key}` } } }));
      expect(client.getNegotiatedProtocolVersion()).toBe(V2026);
      for (let i = 0; i < 6; i++) {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain("card");
        expect(await client.callTool({ name: "echo", arguments: { text: `roam ${i}` } })).toMatchObject({ structuredContent: { echoed: `roam ${i}` } });
      }
      await client.close();
      // The client may serve tools/list from its cache (ttlMs), so not every step is a request.
      expect(hits.a).toBeGreaterThanOrEqual(3);
      expect(hits.b).toBeGreaterThanOrEqual(3);
    });

    test("audit rows from both instances land in one log", async () => {
      const tag = `audit-${Date.now()}`;
      for (const [inst, host] of [[p.a, `${tag}-a`], [p.b, `${tag}-b`]] as const) {
        for (let i = 0; i < 5; i++) {
          const res = await post(inst.mcp(), p.project.key, { jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "card", arguments: { text: "x" }, _meta: meta(host) } }, statelessHeaders("tools/call", "card"));
          expect(res.status).toBe(200);
          await res.body?.cancel();
        }
      }
      // Read through A alone: B's rows are there once its writer flushed its batch.
      const count = async (host: string) => {
        const res = await fetch(`${p.a.base}/api/v1/projects/${p.project.org}/${p.project.slug}/audit?host=${encodeURIComponent(host)}&limit=100`, { headers: { authorization: `Bearer ${p.project.key}` } });
        return ((await res.json()) as { events: unknown[] }).events.length;
      };
      const deadline = performance.now() + 5000;
      let counts = [0, 0];
      while (performance.now() < deadline) {
        counts = [await count(`${tag}-a`), await count(`${tag}-b`)];
        if (counts[0] === 5 && counts[1] === 5) break;
        await Bun.sleep(100);
      }
      expect(counts).toEqual([5, 5]);
    });

    test("an instance started with a different master key refuses to start; the others keep serving", async () => {
      const other = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
      const refused = await p.another({ PORTICO_SECRET_KEY: other }).then(
        (child) => child.stop().then(() => "started"),
        (err: Error) => err.message,
      );
      expect(refused).toContain("portico serve exited before listening");
      expect(refused).toContain("sealed with master key");
      expect((await cardCall(p.a.mcp(), p.project.key)).ok).toBe(true);
      expect((await cardCall(p.b.mcp(), p.project.key)).ok).toBe(true);
    });
  });
}
