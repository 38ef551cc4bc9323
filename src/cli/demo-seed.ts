/**
 * Seeds the demo: an org with one user per role (fresh passwords on every run, so they can be printed),
 * a project whose draft is the demo manifest, and a published version. Re-running on the same data dir
 * updates the same records instead of failing.
 */
import { findUserByEmail, createUser, setPassword } from "../auth/users";
import { ROLES, type Role } from "../domain";
import { getSetting, putSetting } from "../services/settings";
import { ConflictError } from "../errors";
import type { Deps } from "../deps";
import { newToken } from "../lib/ids";
import { importManifest } from "../projects/draft";
import { addMember, createOrg, findOrg, roleOf, setRole } from "../projects/orgs";
import { channelUrl, createProject, findProject } from "../projects/projects";
import { NothingToPublishError, publish } from "../projects/publish";
import { DEMO_MANIFEST } from "./demo-manifest";

/** The demo lives at `/demo/playground`. */
export const DEMO_ORG = "demo";
export const DEMO_PROJECT = "playground";

/** What the seed made, with the clear passwords to print. */
export interface DemoSeed {
  users: Array<{ role: Role; email: string; password: string }>;
  project: { org: string; slug: string; id: string; version: number };
}

/** Marks the org the demo made, so a re-run never takes over a real organization that happens to be called "demo". */
const DEMO_MARKER = "demo_org_id";

async function demoOrg(deps: Deps) {
  const marker = await getSetting(deps.db, DEMO_MARKER);
  const existing = await findOrg(deps.db, DEMO_ORG);
  if (existing && existing.id !== marker) {
    throw new ConflictError(`This data dir already has an organization "${DEMO_ORG}" that the demo did not create; run the demo on another --data-dir.`);
  }
  if (existing) return existing;
  const org = await createOrg(deps.db, { slug: DEMO_ORG, name: "Demo" }, undefined, deps.clock.now());
  await putSetting(deps.db, DEMO_MARKER, org.id);
  return org;
}

/** Seeds (or refreshes) the demo; see the file comment. */
export async function seedDemo(deps: Deps): Promise<DemoSeed> {
  const org = await demoOrg(deps);
  const users: DemoSeed["users"] = [];
  for (const role of ROLES) {
    const email = `${role}@demo.example.com`;
    const password = newToken().slice(0, 16);
    const existing = await findUserByEmail(deps.db, email);
    const user = existing ?? (await createUser(deps.db, { email, name: `Demo ${role}`, password }, deps.clock.now()));
    if (existing) await setPassword(deps.db, user.id, password, deps.clock.now());
    const current = await roleOf(deps.db, org.id, user.id);
    if (!current) await addMember(deps.db, org.id, user.id, role, deps.clock.now());
    else if (current !== role) await setRole(deps.db, org.id, user.id, role);
    users.push({ role, email, password });
  }
  const owner = (await findUserByEmail(deps.db, users[0]!.email))!;
  const project =
    (await findProject(deps.db, DEMO_ORG, DEMO_PROJECT))?.project ?? await createProject(deps.db, org.id, { slug: DEMO_PROJECT, name: "Portico playground" }, deps.clock.now());
  await importManifest(deps, project.id, DEMO_MANIFEST);
  // A re-run with an unchanged manifest keeps the version production serves: no empty version (issue 16 #5).
  const number = await publishUnlessUnchanged(deps, project.id, owner.id);
  return { users, project: { org: DEMO_ORG, slug: DEMO_PROJECT, id: project.id, version: number } };
}

/** What `portico demo` prints once the server listens. */
export function demoBanner(seed: DemoSeed, publicUrl: string): string {
  const { org, slug } = seed.project;
  const width = Math.max(...seed.users.map((u) => u.email.length));
  return [
    "",
    `Portico demo is running at ${publicUrl}`,
    "",
    `Sign in at ${publicUrl}/login with one of (one user per role; new passwords each run):`,
    ...seed.users.map((u) => `  ${u.role.padEnd(9)} ${u.email.padEnd(width)}  ${u.password}`),
    "",
    `Project ${org}/${slug} (version ${seed.project.version} published). Paste a URL into your MCP host:`,
    `  production: ${channelUrl(publicUrl, org, slug, "production")}`,
    `  draft:      ${channelUrl(publicUrl, org, slug, "draft")}`,
    "",
    "Stop with Ctrl-C.",
  ].join("\n");
}

async function publishUnlessUnchanged(deps: Deps, projectId: string, ownerId: string): Promise<number> {
  try {
    return (await publish(deps, projectId, ownerId, "Demo seed")).number;
  } catch (err) {
    if (err instanceof NothingToPublishError) return err.serving.number;
    throw err;
  }
}
