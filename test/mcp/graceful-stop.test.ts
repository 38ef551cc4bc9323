/**
 * docs/architecture.md: "graceful shutdown flushing the audit queue". A real `portico serve` child process takes a
 * burst of 10,000 tools/call requests, is sent SIGTERM right after the last answer (rows still queued),
 * and must leave exactly 10,000 audit rows behind.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { migrate, openDb } from "../../src/db/client";
import { systemClock } from "../../src/lib/clock";
import { EventBus } from "../../src/lib/events";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { seedWorld } from "../fixtures/world";
import { tempDir, testConfig } from "../helpers";
import { ECHO_TOOL } from "./fixture";

const CALLS = 10_000;
const WORKERS = 32;

async function provision(dataDir: string): Promise<string> {
  const db = openDb(dataDir);
  migrate(db);
  const deps = { db, bus: new EventBus(), config: testConfig({ dataDir }), clock: systemClock };
  const { project, users, apiKey } = await seedWorld(deps, { sessions: false });
  await createDraftTool(deps, project.id, ECHO_TOOL);
  await publish(deps, project.id, users.owner.id);
  const { key } = await apiKey("owner", { name: "burst" });
  db.$client.close();
  return key;
}

/** Reads the child's JSON log until the "listening" line and returns its port. */
async function listeningPort(stdout: ReadableStream<Uint8Array>): Promise<number> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stdout) {
    buffered += decoder.decode(chunk);
    const line = buffered.split("\n").find((l) => l.includes('"listening"'));
    if (line) return JSON.parse(line).port;
  }
  throw new Error("server exited before listening");
}

test("a burst of 10,000 calls followed by SIGTERM leaves exactly 10,000 audit rows", async () => {
  const dataDir = tempDir();
  const key = await provision(dataDir);
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/main.ts"), "serve", "--data-dir", dataDir, "--port", "0", "--log-level", "info", "--principal-rate-limit", "1000000"], {
    stdout: "pipe",
    stderr: "ignore",
  });
  try {
    const port = await listeningPort(child.stdout);
    const url = `http://127.0.0.1:${port}/acme/shop`;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream" };
    let next = 0;
    let ok = 0;
    const worker = async () => {
      while (next < CALLS) {
        const id = next++;
        const body = JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { text: `call ${id}` } } });
        const res = await fetch(url, { method: "POST", headers, body });
        if (res.status === 200 && (await res.json()).id === id) ok++;
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(ok).toBe(CALLS);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  } finally {
    child.kill("SIGKILL");
  }
  const db = openDb(dataDir);
  const rows = db.$client.query("SELECT count(*) AS n, count(DISTINCT input) AS inputs FROM audit_events WHERE method = 'tools/call' AND tool = 'echo'").get() as { n: number; inputs: number };
  db.$client.close();
  expect(rows).toEqual({ n: CALLS, inputs: CALLS });
}, 60_000);
