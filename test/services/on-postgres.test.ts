/**
 * The services on Postgres (issue 15): the same service calls the SQLite tests make, through the Postgres
 * storage handle (`openPgStorage`), read back the same values.
 */
import { expect, test } from "bun:test";
import { createApiKey } from "../../src/apikeys/keys";
import { createDraftTool, listDraftTools } from "../../src/projects/draft";
import { listMembers } from "../../src/projects/orgs";
import { publish, rollback } from "../../src/projects/publish";
import { describePostgres } from "../fixtures/postgres";
import { pgServiceDeps } from "../fixtures/pg-services";
import { seedWorld } from "../fixtures/world";
import { ECHO_TOOL } from "../mcp/fixture";

describePostgres("services on Postgres", (pg) => {
  const servicesOn = pgServiceDeps(pg);

  test("a seeded world, a draft tool, a publish and a rollback read back as on SQLite", async () => {
    const deps = servicesOn();
    const db = deps.db;
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
