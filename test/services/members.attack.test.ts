/**
 * Issue 11 #4: an org admin's "sign out" (`POST /api/v1/orgs/{org}/members/{user}/sessions/end` and the
 * Members page button) ended the user's GLOBAL sessions, killing their grants in orgs the admin has no
 * role in. Now it ends only what belongs to the org: that member's grants for its projects and their keys.
 */
import { describe, expect, test } from "bun:test";
import { seededApp, signIn, type Member } from "../admin/fixtures";
import { call } from "../api/client";
import { postForm, req } from "../helpers";
import { createApiKey } from "../../src/apikeys/keys";
import { createGrant } from "../../src/oauth/grants";
import { grantProblem, loadGrantState } from "../../src/oauth/grant-check";
import { addMember, createOrg } from "../../src/projects/orgs";
import { createProject } from "../../src/projects/projects";

const w = seededApp();

/** A member of acme (developer) who is also in org `beta-N`, where acme's admin has no role; one grant in each. */
async function twoOrgMember(n: number) {
  const member = await signIn(w.deps, `two-orgs-${n}@example.test`);
  await addMember(w.deps.db, w.org.id, member.id, "developer");
  const other = await signIn(w.deps, `beta-owner-${n}@example.test`);
  const beta = await createOrg(w.deps.db, { slug: `beta-${n}`, name: "Beta" }, other.id);
  await addMember(w.deps.db, beta.id, member.id, "developer");
  const betaProject = await createProject(w.deps.db, beta.id, { slug: "tools", name: "Tools" });
  const grant = async (orgId: string, projectId: string, resource: string) =>
    (await createGrant(w.deps.db, {
            userId: member.id, orgId, projectId, channel: "production", resource, clientId: "https://claude.ai/oauth/mcp-oauth-client-metadata",
            scopes: "project:read tools:call", sessionId: member.sessionId,
          }));
  return {
    member,
    acmeGrant: await grant(w.org.id, w.project.id, "http://localhost/acme/shop"),
    betaGrant: await grant(beta.id, betaProject.id, `http://localhost/beta-${n}/tools`),
    acmeKey: (await createApiKey(w.deps, { projectId: w.project.id, userId: member.id, name: "acme key" })).key,
    betaKey: (await createApiKey(w.deps, { projectId: betaProject.id, userId: member.id, name: "beta key" })).key,
    betaPath: `/projects/beta-${n}/tools`,
  };
}

const problem = async (grantId: string) => grantProblem(await loadGrantState(w.deps, grantId), w.deps.config.sessionIdleTtl);

async function expectOnlyAcmeEnded(s: Awaited<ReturnType<typeof twoOrgMember>>, member: Member) {
  expect(await problem(s.acmeGrant.id)).toContain("revoked");
  expect(await problem(s.betaGrant.id)).toBeNull();
  // Their browser session and their other org's key still work.
  expect((await call(w.app, "GET", "/account/grants", { as: member })).status).toBe(200);
  expect((await call(w.app, "GET", s.betaPath, { key: s.betaKey })).status).toBe(200);
  // This org's key is gone.
  expect((await call(w.app, "GET", "/projects/acme/shop", { key: s.acmeKey })).status).toBe(401);
}

describe("attack: ending a member's sessions across orgs", () => {
  test("attack: an org admin ending a member's sessions through the API leaves that user's grants and sessions in another org alive", async () => {
    const s = await twoOrgMember(1);
    const ended = await call(w.app, "POST", `/orgs/acme/members/${s.member.id}/sessions/end`, { as: w.members.admin });
    expect(ended.status).toBe(200);
    await expectOnlyAcmeEnded(s, s.member);
    const events = await call(w.app, "GET", "/orgs/acme/audit?action=member.access_ended", { as: w.members.admin });
    expect(events.json.events[0]).toMatchObject({ targetId: s.member.id, details: { grantsRevoked: 1, keysRevoked: 1 } });
  });

  test("attack: the Members page button ends only this org's access, never the member's other orgs", async () => {
    const s = await twoOrgMember(2);
    const res = await postForm(w.app, `/admin/acme/settings/members/${s.member.id}/sessions/end`, { csrf: w.members.admin.csrf }, w.members.admin.cookie);
    expect(res.status).toBe(303);
    await expectOnlyAcmeEnded(s, s.member);
    const page = await (await req(w.app, "/admin/acme/settings/members", { headers: { cookie: w.members.admin.cookie } })).text();
    expect(page).toContain("End access here");
  });
});
