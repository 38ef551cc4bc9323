/**
 * Issue 11 #19: one project's scripts could starve every other project — the sandbox pool (2–4 workers)
 * had no per-project share, so a project firing slow calls held every worker and the other projects'
 * calls queued behind them. Each project now runs at most half the pool (rounded up) at once.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createApiKey } from "../../../src/apikeys/keys";
import { createDraftTool } from "../../../src/projects/draft";
import { createProject } from "../../../src/projects/projects";
import { publish } from "../../../src/projects/publish";
import { mcpFixture, type McpFixture } from "../../mcp/fixture";

let f: McpFixture;
afterEach(() => f?.stop());

const HOG = 'export default () => { const end = Date.now() + 4000; while (Date.now() < end) {} return { hogged: true }; }';
const QUICK = "export default (input) => ({ answer: 42 })";

describe("sandbox pool shares", () => {
  test("attack: a project firing slow script calls cannot make another project's call wait for them", async () => {
    f = await mcpFixture();
    const other = await createProject(f.deps.db, f.org.id, { slug: "crm", name: "CRM" });
    await createDraftTool(f.deps, f.project.id, { name: "hog", kind: "script", description: "Holds a worker", timeoutMs: 30_000, script: HOG });
    await createDraftTool(f.deps, other.id, { name: "quick", kind: "script", description: "Answers at once", timeoutMs: 30_000, script: QUICK });
    await publish(f.deps, f.project.id, f.users.admin);
    await publish(f.deps, other.id, f.users.admin);
    const hogKey = await f.keyFor("viewer");
    const otherKey = (await createApiKey(f.deps, { projectId: other.id, userId: f.users.viewer, name: "crm key" })).key;
    const stopHogs = new AbortController();
    const call = (url: string, key: string, name: string, id: number, signal?: AbortSignal) =>
      fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } }),
        signal,
      });

    let hogsDone = 0;
    const hogs = Array.from({ length: 6 }, (_, i) => call(f.url(), hogKey, "hog", i + 1, stopHogs.signal).then(() => hogsDone++, () => {}));
    await Bun.sleep(300); // the hogs are queued or running
    const res = await call(`${f.server.url}/acme/crm`, otherKey, "quick", 100);
    const doneWhenAnswered = hogsDone;
    const body = await res.json();
    expect(body.result.structuredContent).toEqual({ answer: 42 });
    // Answered while every hog was still running or waiting: it did not queue behind them.
    expect(doneWhenAnswered).toBe(0);
    // Disconnecting cancels the hogs, so the server stops without waiting for them.
    stopHogs.abort();
    await Promise.all(hogs);
  });
});
