/**
 * The connection doctor's memory is bounded (src/doctor/handshake.ts): the newest 200 rows per client, the
 * newest 200 client-less rows per project, nothing older than 14 days — applied every 256th insert, never on
 * each. Engine-neutral (window functions exist in SQLite and Postgres alike): listed in test/postgres-files.txt.
 */
import { afterEach, expect, test } from "bun:test";
import { makeApp, type TestApp } from "../helpers";
import { MAX_AGE_MS, pruneHandshakes, recordHandshake, RING_PER_CLIENT } from "../../src/doctor/handshake";

let t: TestApp;
afterEach(() => t.close());

const NOW = Date.UTC(2026, 11, 2, 12);

async function counts(t: TestApp) {
  const { handshakeEvents } = t.deps.db.t;
  const rows = await t.deps.db.select().from(handshakeEvents);
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.clientId ?? `project:${r.projectId}`, (by.get(r.clientId ?? `project:${r.projectId}`) ?? 0) + 1);
  return { rows, by };
}

test("pruning keeps the newest 200 per client and per project without client, and drops what is older than 14 days", async () => {
  t = await makeApp();
  const db = t.deps.db;
  for (let i = 0; i < 230; i++) await recordHandshake(db, { projectId: "prj_a", clientId: "cli_busy", step: "mcp", outcome: "fail", reason: `n${i}` }, NOW - 1000 + i);
  for (let i = 0; i < 5; i++) await recordHandshake(db, { projectId: "prj_a", clientId: "cli_quiet", step: "token", outcome: "ok" }, NOW);
  for (let i = 0; i < 210; i++) await recordHandshake(db, { projectId: "prj_a", step: "metadata_miss", outcome: "fail" }, NOW);
  await recordHandshake(db, { projectId: "prj_b", clientId: "cli_old", step: "token", outcome: "ok" }, NOW - MAX_AGE_MS - 1);
  await pruneHandshakes(db, NOW);
  const { rows, by } = await counts(t);
  expect(by.get("cli_busy")).toBe(RING_PER_CLIENT);
  expect(by.get("cli_quiet")).toBe(5);
  expect(by.get("project:prj_a")).toBe(RING_PER_CLIENT);
  expect(by.has("cli_old")).toBe(false);
  // The newest of the busy client are the ones kept.
  const busy = rows.filter((r) => r.clientId === "cli_busy").map((r) => r.reason);
  expect(busy).toContain("n229");
  expect(busy).not.toContain("n29");
});

test("pruning runs by itself as rows arrive, not on each insert", async () => {
  t = await makeApp();
  const db = t.deps.db;
  for (let i = 0; i < 255; i++) await recordHandshake(db, { projectId: "prj_a", clientId: "cli_busy", step: "mcp", outcome: "ok" }, NOW);
  expect((await counts(t)).by.get("cli_busy")).toBe(255);
  await recordHandshake(db, { projectId: "prj_a", clientId: "cli_busy", step: "mcp", outcome: "ok" }, NOW);
  expect((await counts(t)).by.get("cli_busy")).toBe(RING_PER_CLIENT);
});

test("detail is stored as given (bounded: 16 keys, 200 characters a value) and read back as an object", async () => {
  t = await makeApp();
  const detail = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i === 0 ? "x".repeat(500) : i]));
  await recordHandshake(t.deps.db, { projectId: "p", clientId: "c", step: "token", outcome: "ok", detail }, NOW);
  const [row] = (await counts(t)).rows;
  expect(Object.keys(row!.detail!)).toHaveLength(16);
  expect(String(row!.detail!.k0)).toHaveLength(200);
});
