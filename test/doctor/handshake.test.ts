import { afterEach, expect, test } from "bun:test";
import { makeApp, type TestApp } from "../helpers";
import { listHandshakes, recordHandshake, trimHandshakes } from "../../src/doctor/handshake";
import { handshakeEvents } from "../../src/db/schema";

let t: TestApp;
afterEach(() => t.close());

test("handshake steps are listed per project, newest first, with outcome and reason", async () => {
  t = await makeApp();
  await recordHandshake(t.deps.db, { projectId: "prj_a", clientId: "cli_1", step: "resource_metadata", outcome: "ok" });
  await recordHandshake(t.deps.db, { projectId: "prj_b", clientId: "cli_2", step: "authorize", outcome: "ok" });
  await recordHandshake(t.deps.db, { projectId: "prj_a", clientId: "cli_1", step: "token", outcome: "fail", reason: "invalid_grant: PKCE mismatch" });
  const rows = await listHandshakes(t.deps.db, "prj_a");
  expect(rows.map((r) => [r.step, r.outcome, r.reason])).toEqual([
    ["token", "fail", "invalid_grant: PKCE mismatch"],
    ["resource_metadata", "ok", null],
  ]);
  expect(await listHandshakes(t.deps.db, "prj_a", 1)).toHaveLength(1);
});

test("long reasons and client ids are capped, and trimming keeps only the newest rows", async () => {
  t = await makeApp();
  await recordHandshake(t.deps.db, { projectId: "p", clientId: "c".repeat(1000), step: "authorize", outcome: "fail", reason: "r".repeat(1000) });
  const [row] = await listHandshakes(t.deps.db, "p");
  expect(row!.clientId!.length).toBe(300);
  expect(row!.reason!.length).toBe(300);
  for (let i = 0; i < 9; i++) await recordHandshake(t.deps.db, { projectId: "p", step: "mcp", outcome: "ok" });
  await trimHandshakes(t.deps.db, 4);
  expect(t.deps.db.select().from(handshakeEvents).all()).toHaveLength(4);
  expect((await listHandshakes(t.deps.db, "p")).every((r) => r.step === "mcp")).toBe(true);
});

test("registration steps (before any project is named) are listed for the projects their client reached", async () => {
  t = await makeApp();
  await recordHandshake(t.deps.db, { clientId: "cli_1", step: "registration", outcome: "ok" });
  await recordHandshake(t.deps.db, { clientId: "cli_2", step: "registration", outcome: "ok" });
  await recordHandshake(t.deps.db, { projectId: "prj_a", clientId: "cli_1", step: "authorize", outcome: "ok" });
  expect((await listHandshakes(t.deps.db, "prj_a")).map((r) => `${r.clientId}:${r.step}`)).toEqual(["cli_1:authorize", "cli_1:registration"]);
});
