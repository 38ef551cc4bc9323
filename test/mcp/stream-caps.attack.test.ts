/**
 * Issue 11 #16 and #19: anonymous GET streams on public projects escaped the session cap — one session
 * could open any number of notification streams (each an open connection and a timer), and sessions with
 * streams were never evicted. A session now holds one GET stream (a new one replaces it) and each project
 * has a cap on open streams (config max-streams-per-project).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { setVisibility } from "../../src/projects/publish";
import { mcpFixture, rpc, type McpFixture } from "./fixture";

let f: McpFixture;
const open: Response[] = [];
afterEach(async () => {
  for (const res of open.splice(0)) await res.body?.cancel().catch(() => {});
  await f?.stop();
});

async function anonymousSession(): Promise<string> {
  const init = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "anon", version: "1" } } };
  const res = await rpc(f.url(), init);
  expect(res.status).toBe(200);
  return res.headers.get("mcp-session-id")!;
}

async function getStream(sid: string): Promise<Response> {
  const res = await fetch(f.url(), { headers: { accept: "text/event-stream", "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" } });
  if (res.status === 200) open.push(res);
  return res;
}

async function openStreams(): Promise<number> {
  const text = await (await fetch(`${f.server.url}/metrics`)).text();
  return Number(/^portico_mcp_streams (\d+)/m.exec(text)?.[1]);
}

describe("notification stream caps", () => {
  test("attack: one anonymous session on a public project cannot pile up GET streams", async () => {
    f = await mcpFixture();
    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    const sid = await anonymousSession();
    for (let i = 0; i < 10; i++) expect((await getStream(sid)).status).toBeLessThan(500);
    expect(await openStreams()).toBe(1);
  });

  test("attack: anonymous sessions cannot open more streams on a project than its cap", async () => {
    f = await mcpFixture({ maxStreamsPerProject: 3 });
    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await getStream(await anonymousSession())).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(await openStreams()).toBe(3);
  });
});
