/** diagnoseConnections (src/services/doctor.ts): who may see it, grouping per client with names, the clientId filter. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { getUser } from "../../src/auth/users";
import { recordHandshake } from "../../src/doctor/handshake";
import { ForbiddenError } from "../../src/errors";
import { projectAccess } from "../../src/services/access";
import { diagnoseConnections } from "../../src/services/doctor";
import { makeApp, type TestApp } from "../helpers";
import { registerClient, seedWorld, type World } from "../oauth/fixtures";

let t: TestApp;
let w: World;
beforeEach(async () => {
  t = await makeApp();
  w = await seedWorld(t.deps);
});
afterEach(() => t.close());

const as = async (userId: string) => projectAccess(t.deps, await getUser(t.deps.db, userId), { kind: "operator" }, "acme", "shop");

test("developers and above may diagnose; a viewer is refused with the role needed", async () => {
  expect((await diagnoseConnections(t.deps, await as(w.users.developer.id))).project).toBe("shop");
  const refused = await diagnoseConnections(t.deps, await as(w.users.viewer.id)).catch((e) => e);
  expect(refused).toBeInstanceOf(ForbiddenError);
  expect(refused.message).toBe("You need to be a developer of this organization to see the connection doctor; your role is viewer.");
});

test("steps are grouped per client under its registered name, newest activity first; clientId narrows to one", async () => {
  const a = await registerClient(t.app, { client_name: "Alpha" });
  const b = await registerClient(t.app, { client_name: "Beta" });
  const now = t.deps.clock.now();
  await recordHandshake(t.deps.db, { projectId: w.shop.id, clientId: a.client_id, step: "authorize", outcome: "ok" }, now + 1);
  await recordHandshake(t.deps.db, { projectId: w.shop.id, clientId: b.client_id, step: "authorize", outcome: "ok" }, now + 2);
  await recordHandshake(t.deps.db, { projectId: w.crm.id, clientId: "cli_elsewhere", step: "authorize", outcome: "ok" }, now + 3);
  const report = await diagnoseConnections(t.deps, await as(w.users.developer.id));
  expect(report.clients.map((c) => [c.name, c.events.map((e) => e.step)])).toEqual([
    ["Beta", ["authorize", "registration"]],
    ["Alpha", ["authorize", "registration"]],
  ]);
  const one = await diagnoseConnections(t.deps, await as(w.users.developer.id), { clientId: a.client_id });
  expect(one.clients.map((c) => c.name)).toEqual(["Alpha"]);
  expect(one.publicUrl).toBe(t.deps.config.publicUrl);
});
