/**
 * The services on Postgres (issue 15): the same service calls the SQLite tests make, through the Postgres
 * storage handle (`openPgStorage`), read back the same values.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createApiKey } from "../../src/apikeys/keys";
import type { Db } from "../../src/db/client";
import { openPgStorage } from "../../src/db/pg/client";
import { migratePg } from "../../src/db/pg/migrator";
import { EventBus } from "../../src/lib/events";
import { systemClock } from "../../src/lib/clock";
import { createDraftTool, listDraftTools } from "../../src/projects/draft";
import { listMembers } from "../../src/projects/orgs";
import { publish, rollback } from "../../src/projects/publish";
import { describePostgres } from "../fixtures/postgres";
import { seedWorld } from "../fixtures/world";
import { testConfig } from "../helpers";
import { ECHO_TOOL } from "../mcp/fixture";

describePostgres("services on Postgres", (pg) => {
  let db: Db;
  beforeAll(async () => {
    db = openPgStorage(pg.url, { max: 4 });
    await migratePg(db.$client as never);
  });
  afterAll(async () => {
    await (db.$client as unknown as { close(): Promise<void> }).close();
  });

  test("a seeded world, a draft tool, a publish and a rollback read back as on SQLite", async () => {
    const deps = { db, bus: new EventBus(), config: testConfig({ dataDir: ":memory:" }), clock: systemClock };
    const w = await seedWorld(deps, { sessions: false });
    expect((await listMembers(db, w.org.id)).map((m) => m.role).sort()).toEqual(["admin", "developer", "owner", "viewer"]);
    await createDraftTool(deps, w.project.id, ECHO_TOOL);
    expect((await listDraftTools(deps, w.project.id)).map((t) => t.name)).toEqual([ECHO_TOOL.name]);
    const v1 = await publish(deps, w.project.id, w.users.owner.id);
    expect(v1.number).toBe(1);
    await createDraftTool(deps, w.project.id, { ...ECHO_TOOL, name: "echo2" });
    const v2 = await publish(deps, w.project.id, w.users.owner.id);
    expect(v2.number).toBe(2);
    await rollback(deps, w.project.id, 1, w.users.owner.id);
    const key = await createApiKey(deps, { projectId: w.project.id, userId: w.users.developer.id, name: "pg key" });
    expect(key.key).toMatch(/^\w+/);
  });
});
