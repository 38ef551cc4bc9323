import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { openDb } from "../../src/db/client";
import { systemClock } from "../../src/lib/clock";
import { EventBus } from "../../src/lib/events";
import { createDraftTool, updateDraftTool } from "../../src/projects/draft";
import { setRole } from "../../src/projects/orgs";
import { publish, rollback } from "../../src/projects/publish";
import { connectClient, ECHO_TOOL, mcpFixture, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

/** Resolves on the next tools/list_changed the client receives (on its GET stream). */
function nextListChanged(client: Client, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no list_changed within timeout")), timeoutMs);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Waits until the SDK client's GET stream is open (it opens after notifications/initialized), read from /metrics. */
async function streamOpen(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const text = await (await fetch(`${f.server.url}/metrics`)).text();
    if (/^portico_mcp_streams [1-9]/m.test(text)) return;
    await Bun.sleep(20);
  }
  throw new Error("the client never opened its notification stream");
}

setDefaultTimeout(15_000);

describe("list_changed and versions", () => {
  test("an open production session is told when a publish changes its tools, and rollback restores the old tools", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await publish(f.deps, f.project.id, f.users.admin);
    const prod = await connectClient(f.url(), await f.keyFor("viewer"));
    await streamOpen();
    expect((await prod.listTools()).tools[0]!.description).toBe("Shows the text");

    const changed = nextListChanged(prod);
    await updateDraftTool(f.deps, f.project.id, "echo", { description: "Shows the text, louder" });
    await createDraftTool(f.deps, f.project.id, { ...ECHO_TOOL, name: "shout" });
    expect((await prod.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await publish(f.deps, f.project.id, f.users.admin);
    await changed;
    const v2 = (await prod.listTools()).tools;
    expect(v2.map((t) => t.name)).toEqual(["echo", "shout"]);
    expect(v2[0]!.description).toBe("Shows the text, louder");

    const rolledBack = nextListChanged(prod);
    await rollback(f.deps, f.project.id, 1, f.users.admin);
    await rolledBack;
    const v1 = (await prod.listTools()).tools;
    expect(v1.map((t) => [t.name, t.description])).toEqual([["echo", "Shows the text"]]);
    await prod.close();
  });

  test("a role lowered while a session is open sends list_changed, and the tools beyond it are gone", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await createDraftTool(f.deps, f.project.id, { ...ECHO_TOOL, name: "writer", scope: "project:write" });
    await publish(f.deps, f.project.id, f.users.admin);
    const prod = await connectClient(f.url(), await f.keyFor("developer"));
    await streamOpen();
    expect((await prod.listTools()).tools.map((t) => t.name)).toContain("writer");
    const changed = nextListChanged(prod);
    await setRole(f.deps.db, f.org.id, f.users.developer, "viewer");
    await changed;
    expect((await prod.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await prod.close();
  });

  test("a draft edit reaches open draft sessions", async () => {
    f = await mcpFixture();
    const draft = await connectClient(f.url("draft"), await f.keyFor("developer"));
    await streamOpen();
    const changed = nextListChanged(draft);
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    await changed;
    expect((await draft.listTools()).tools.map((t) => t.name).filter((n) => !n.startsWith("portico_"))).toEqual(["echo"]);
    await draft.close();
  });

  test("a publish written by another database connection (like the CLI) still sends list_changed", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    const prod = await connectClient(f.url(), await f.keyFor("viewer"));
    await streamOpen();
    const changed = nextListChanged(prod);
    const cli = { db: openDb(f.deps.config.dataDir), bus: new EventBus(), clock: systemClock };
    await publish(cli, f.project.id, f.users.admin);
    cli.db.$client.close();
    await changed;
    expect((await prod.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await prod.close();
  });
});

test("a graceful stop ends open notification streams instead of waiting for them", async () => {
  f = await mcpFixture();
  await connectClient(f.url(), await f.keyFor("viewer"));
  await streamOpen();
  const started = Date.now();
  await f.stop();
  expect(Date.now() - started).toBeLessThan(2000);
});
