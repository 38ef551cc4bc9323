/**
 * subscriptions/listen (MCP 2026-07-28 §Subscriptions) over real HTTP: the acknowledgement comes first,
 * list changes follow tagged with the subscription id and filtered to what was asked, and the stream ends
 * when its credential is revoked — in this process or by another one on the same data dir (the CLI).
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createApiKey, revokeApiKey } from "../../../src/apikeys/keys";
import { openDb } from "../../../src/db/client";
import { systemClock } from "../../../src/lib/clock";
import { EventBus } from "../../../src/lib/events";
import { createDraftTool, updateDraftTool } from "../../../src/projects/draft";
import { removeMember, setRole } from "../../../src/projects/orgs";
import { publish, setVisibility } from "../../../src/projects/publish";
import { ECHO_TOOL, mcpFixture, rpc, type McpFixture } from "../fixture";
import { sseMessages } from "../../sse";
import { meta, standardHeaders } from "./support";

setDefaultTimeout(15_000);
let f: McpFixture;
afterEach(() => f?.stop());

/** Opens a listen stream and reads its messages as they come. */
async function listen(url: string, bearer: string | null, notifications: Record<string, unknown>, id: number | string = 1) {
  const res = await rpc(
    url,
    { jsonrpc: "2.0", id, method: "subscriptions/listen", params: { notifications, _meta: meta() } },
    { ...standardHeaders("subscriptions/listen"), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
  );
  if (res.status !== 200) {
    await res.body?.cancel();
    return { res, messages: [] as any[], ended: true, waitFor: async () => {} };
  }
  const sse = sseMessages(res);
  return { res, messages: sse.messages, get ended() { return sse.ended; }, waitFor: (cond: () => boolean, what: string) => sse.waitFor(cond, what, 3000) };
}

async function published(): Promise<void> {
  f = await mcpFixture();
  await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
  await publish(f.deps, f.project.id, f.users.admin);
}

describe("subscriptions/listen", () => {
  test("the acknowledgement comes first with the subscription id and the agreed filter; a draft save sends only what was asked, tagged", async () => {
    await published();
    const key = await f.keyFor("developer");
    const tools = await listen(f.url("draft"), key, { toolsListChanged: true, resourceSubscriptions: ["ui://acme/shop/echo"] }, "sub-7");
    const prompts = await listen(f.url("draft"), key, { promptsListChanged: true }, 8);
    expect(tools.res.headers.get("content-type")).toContain("text/event-stream");
    await tools.waitFor(() => tools.messages.length >= 1, "the acknowledgement");
    expect(tools.messages[0]).toEqual({
      jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged",
      // Per-resource subscriptions are not offered, so the agreed filter leaves them out.
      params: { notifications: { toolsListChanged: true }, _meta: { "io.modelcontextprotocol/subscriptionId": "sub-7" } },
    });
    await prompts.waitFor(() => prompts.messages.length >= 1, "the prompts acknowledgement");

    await updateDraftTool(f.deps, f.project.id, "echo", { description: "Louder" });
    await tools.waitFor(() => tools.messages.length >= 2, "tools list_changed");
    expect(tools.messages[1]).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: { _meta: { "io.modelcontextprotocol/subscriptionId": "sub-7" } } });
    await prompts.waitFor(() => prompts.messages.length >= 2, "prompts list_changed");
    expect(prompts.messages.slice(1).map((m) => m.method)).toEqual(["notifications/prompts/list_changed"]);
  });

  test("a publish reaches production listeners; draft listeners of the same project are not told", async () => {
    await published();
    const key = await f.keyFor("admin");
    const prod = await listen(f.url(), key, { toolsListChanged: true });
    await prod.waitFor(() => prod.messages.length >= 1, "ack");
    await createDraftTool(f.deps, f.project.id, { ...ECHO_TOOL, name: "shout" });
    await Bun.sleep(200);
    expect(prod.messages).toHaveLength(1);
    await publish(f.deps, f.project.id, f.users.admin);
    await prod.waitFor(() => prod.messages.length >= 2, "production list_changed");
  });

  test("listening needs what listing needs: a viewer cannot listen on draft, and no credential is 401", async () => {
    await published();
    const viewer = await listen(f.url("draft"), await f.keyFor("viewer"), { toolsListChanged: true });
    expect(viewer.res.status).not.toBe(200);
    const anonymous = await listen(f.url(), null, { toolsListChanged: true });
    expect(anonymous.res.status).toBe(401);
  });

  test("on a public project an anonymous caller may listen, and its lists are cacheScope public", async () => {
    await published();
    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    const open = await listen(f.url(), null, { toolsListChanged: true });
    await open.waitFor(() => open.messages.length >= 1, "ack");
    const list = await rpc(f.url(), { jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: meta() } }, standardHeaders("tools/list"));
    expect((await list.json()).result.cacheScope).toBe("public");
  });

  test("revoking the key ends the stream; so does a revocation made by another process on the same data", async () => {
    await published();
    const mine = await createApiKey(f.deps, { projectId: f.project.id, userId: f.users.developer, name: "here" });
    const theirs = await createApiKey(f.deps, { projectId: f.project.id, userId: f.users.developer, name: "cli" });
    const a = await listen(f.url(), mine.key, { toolsListChanged: true });
    const b = await listen(f.url(), theirs.key, { toolsListChanged: true });
    await a.waitFor(() => a.messages.length >= 1, "ack a");
    await b.waitFor(() => b.messages.length >= 1, "ack b");
    await revokeApiKey(f.deps, f.project.id, mine.id);
    await a.waitFor(() => a.ended, "stream a to end");
    expect(b.ended).toBe(false);
    const cli = { db: openDb(f.deps.config.dataDir), bus: new EventBus(), clock: systemClock };
    await revokeApiKey(cli, f.project.id, theirs.id);
    cli.db.$client.close();
    await b.waitFor(() => b.ended, "stream b to end after the CLI revoked its key");
  });

  test("a member removed ends their stream", async () => {
    await published();
    const s = await listen(f.url(), await f.keyFor("developer"), { toolsListChanged: true });
    await s.waitFor(() => s.messages.length >= 1, "ack");
    await removeMember(f.deps.db, f.org.id, f.users.developer);
    await s.waitFor(() => s.ended, "stream to end");
  });

  test("a developer demoted to viewer loses their draft stream; a project made private ends its anonymous streams", async () => {
    await published();
    const draft = await listen(f.url("draft"), await f.keyFor("developer"), { toolsListChanged: true });
    await draft.waitFor(() => draft.messages.length >= 1, "ack");
    await setRole(f.deps.db, f.org.id, f.users.developer, "viewer");
    await draft.waitFor(() => draft.ended, "the draft stream to end");

    await setVisibility(f.deps, f.project.id, "public", f.users.admin);
    const anonymous = await listen(f.url(), null, { toolsListChanged: true });
    await anonymous.waitFor(() => anonymous.messages.length >= 1, "ack");
    await setVisibility(f.deps, f.project.id, "private", f.users.admin);
    await anonymous.waitFor(() => anonymous.ended, "the anonymous stream to end");
  });

  test("attack: one credential cannot hold every stream of a project (at most 10 listen streams each)", async () => {
    await published();
    const key = await f.keyFor("developer");
    const held = [];
    for (let i = 0; i < 10; i++) {
      const s = await listen(f.url(), key, { toolsListChanged: true }, i);
      expect(s.res.status).toBe(200);
      held.push(s);
    }
    const eleventh = await listen(f.url(), key, { toolsListChanged: true }, 11);
    expect(eleventh.res.status).toBe(429);
    const other = await listen(f.url(), await f.keyFor("admin"), { toolsListChanged: true }, 12);
    expect(other.res.status).toBe(200);
  });

  test("at shutdown a listener gets the completion result for its subscription, then the stream ends", async () => {
    await published();
    const s = await listen(f.url(), await f.keyFor("developer"), { toolsListChanged: true }, 31);
    await s.waitFor(() => s.messages.length >= 1, "ack");
    const stopping = f.stop();
    await s.waitFor(() => s.ended, "stream to end");
    await stopping;
    expect(s.messages.at(-1)).toEqual({ jsonrpc: "2.0", id: 31, result: { resultType: "complete", _meta: { "io.modelcontextprotocol/subscriptionId": 31 } } });
  });
});
