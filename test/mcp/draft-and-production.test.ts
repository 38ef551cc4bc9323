import { afterEach, describe, expect, test } from "bun:test";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { connectClient, ECHO_TOOL, mcpFixture, type McpFixture } from "./fixture";

let f: McpFixture;
afterEach(() => f?.stop());

describe("draft and production channels", () => {
  test("initialize shows the project name and its instructions", async () => {
    f = await mcpFixture();
    const client = await connectClient(f.url("draft"), await f.keyFor("developer"));
    expect(client.getServerVersion()?.name).toBe("Shop (draft)");
    expect(client.getInstructions()).toBe("Use the shop tools to answer.");
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    await client.close();
  });

  test("draft lists its tools at once; production explains it has nothing published until a publish", async () => {
    f = await mcpFixture();
    await createDraftTool(f.deps, f.project.id, ECHO_TOOL);
    const draft = await connectClient(f.url("draft"), await f.keyFor("developer"));
    expect((await draft.listTools()).tools.map((t) => t.name)).toContain("echo");
    const prod = await connectClient(f.url(), await f.keyFor("viewer"));
    expect(prod.getServerVersion()?.name).toBe("Shop");
    await expect(prod.listTools()).rejects.toThrow(/Nothing has been published on acme\/shop yet.*publish/);
    await publish(f.deps, f.project.id, f.users.admin);
    expect((await prod.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await draft.close();
    await prod.close();
  });
});
