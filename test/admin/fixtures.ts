/**
 * Fixtures for settings-page and API tests: an org with one signed-in member per role, each with a real
 * session cookie and its CSRF secret, and a project.
 */
import { afterAll, beforeAll } from "bun:test";
import type { Role } from "../../src/db/schema";
import { makeApp, type TestApp } from "../helpers";
import type { Deps } from "../../src/deps";
import { createUser } from "../../src/auth/users";
import { createSession } from "../../src/auth/sessions";
import { SESSION_COOKIE } from "../../src/auth/cookies";
import { addMember, createOrg } from "../../src/projects/orgs";
import { createProject } from "../../src/projects/projects";

export interface Member {
  id: string;
  email: string;
  cookie: string;
  csrf: string;
  sessionId: string;
}

export async function signIn(deps: Deps, email: string): Promise<Member> {
  const user = await createUser(deps.db, { email, password: "correct horse battery" });
  const { token, session } = createSession(deps, user.id);
  return { id: user.id, email, cookie: `${SESSION_COOKIE}=${token}`, csrf: session.csrfSecret, sessionId: session.id };
}

/** Org `acme` with project `shop` and one member per role (plus an outsider who belongs to no org). */
export async function seedOrg(deps: Deps) {
  const roles: Role[] = ["owner", "admin", "developer", "viewer"];
  const members = {} as Record<Role | "outsider", Member>;
  members.owner = await signIn(deps, "owner@acme.test");
  const org = createOrg(deps.db, { slug: "acme", name: "Acme" }, members.owner.id);
  for (const role of roles.slice(1)) {
    members[role] = await signIn(deps, `${role}@acme.test`);
    addMember(deps.db, org.id, members[role].id, role);
  }
  members.outsider = await signIn(deps, "outsider@elsewhere.test");
  const project = createProject(deps.db, org.id, { slug: "shop", name: "Shop" });
  return { org, project, members };
}

export type SeededApp = TestApp & Awaited<ReturnType<typeof seedOrg>>;

/**
 * A fresh app on a fresh database, seeded by `seedOrg`, for the whole file: registers beforeAll/afterAll
 * and returns an object whose fields are filled in before the first test runs.
 */
export function seededApp(): SeededApp {
  const world = {} as SeededApp;
  beforeAll(async () => {
    const t = await makeApp();
    Object.assign(world, t, await seedOrg(t.deps));
  }, 30_000);
  afterAll(() => world.close());
  return world;
}
