import { afterEach, describe, expect, setSystemTime, test, setDefaultTimeout } from "bun:test";
import { listOrgEvents } from "../../src/audit/org-audit";
import { SESSION_COOKIE } from "../../src/auth/cookies";
import { createInvite, DEFAULT_INVITE_TTL_HOURS, listInvites, revokeInvite } from "../../src/auth/invites";
import { orgAccess } from "../../src/services/access";
import { inviteMember } from "../../src/services/members";
import { invoke } from "../../src/services/operation";
import { findUserByEmail } from "../../src/auth/users";
import { roleOf } from "../../src/projects/orgs";
import { makeApp, type TestApp } from "../helpers";
import { Browser, PASSWORD, seedUser } from "./flow";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

let t: TestApp;
afterEach(async () => {
  setSystemTime();
  await t?.close();
});

async function setup(inviteOpts: { email?: string } = {}) {
  t = await makeApp();
  const { user: admin, org } = await seedUser(t, "admin@example.com", "acme");
  // Through the invite operation, which records `invite.created` (src/services/members.ts).
  const invite = await invoke(inviteMember, t.deps, await orgAccess(t.deps, admin, { kind: "operator" }, "acme"), { role: "developer", ...inviteOpts });
  return { admin, org: org!, invite, path: new URL(invite.url).pathname };
}

const newcomer = { mode: "signup", name: "Nia", email: "nia@example.com", password: PASSWORD };

describe("invites", () => {
  test("a new user signs up through the link, joins with the invite's role, is signed in, and the link is spent", async () => {
    const { org, invite, path } = await setup();
    expect(invite.url).toBe(`http://localhost/invite/${invite.token}`);
    const b = new Browser(t);
    const page = await (await b.get(path)).text();
    expect(page).toContain("Join acme");
    expect(page).toContain("developer");
    const res = await b.submit(path, newcomer);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    expect(b.jar.get(SESSION_COOKIE)).toBeTruthy();
    const nia = (await findUserByEmail(t.deps.db, "nia@example.com"))!;
    expect(await roleOf(t.deps.db, org.id, nia.id)).toBe("developer");
    expect((await listOrgEvents(t.deps.db, org.id)).map((e) => e.action)).toEqual(["member.joined", "invite.created"]);
    // Reused: refused for anyone, and listed as accepted.
    expect((await new Browser(t).get(path)).status).toBe(410);
    expect(await listInvites(t.deps, org.id)).toEqual([]);
    expect((await listInvites(t.deps, org.id, { all: true }))[0]!.status).toBe("accepted");
  });

  test("an existing user signs in through the link and lands back on the authorization it interrupted", async () => {
    const { org, path } = await setup();
    const { user } = await seedUser(t, "old@example.com");
    const returnTo = "/oauth/authorize?request=abc";
    const b = new Browser(t);
    const res = await b.submit(`${path}?return_to=${encodeURIComponent(returnTo)}`, { mode: "signin", email: "old@example.com", password: PASSWORD, return_to: returnTo }, path);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(returnTo);
    expect(await roleOf(t.deps.db, org.id, user.id)).toBe("developer");
  });

  test("an already signed-in user joins with one click", async () => {
    const { org, path } = await setup();
    const { user } = await seedUser(t, "old@example.com");
    const b = new Browser(t);
    await b.signIn("old@example.com");
    const res = await b.submit(path, { mode: "join" });
    expect(res.status).toBe(303);
    expect(await roleOf(t.deps.db, org.id, user.id)).toBe("developer");
  });

  test("a wrong password on the invite page does not spend the invite", async () => {
    const { org, path } = await setup();
    await seedUser(t, "old@example.com");
    const b = new Browser(t);
    const res = await b.submit(path, { mode: "signin", email: "old@example.com", password: "wrong password!" });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Wrong email or password.");
    expect(await listInvites(t.deps, org.id)).toHaveLength(1);
  });

  test("an expired link is refused with a readable page", async () => {
    const { path } = await setup();
    setSystemTime(new Date(Date.now() + (DEFAULT_INVITE_TTL_HOURS + 1) * 3600_000));
    const res = await new Browser(t).get(path);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("expired");
  });

  test("a revoked link is refused, and an unknown one is a 404", async () => {
    const { org, invite, path } = await setup();
    await revokeInvite(t.deps, { orgId: org.id, inviteId: invite.id });
    expect((await new Browser(t).get(path)).status).toBe(410);
    expect((await new Browser(t).get("/invite/not-a-real-token")).status).toBe(404);
  });

  test("an invite for one email cannot be used to sign up with another", async () => {
    const { path } = await setup({ email: "only@example.com" });
    const res = await new Browser(t).submit(path, newcomer);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("only@example.com");
    expect(await findUserByEmail(t.deps.db, "nia@example.com")).toBeUndefined();
  });

  test("sign-up with an email that already has an account is sent to the sign-in form", async () => {
    const { path } = await setup();
    await seedUser(t, "nia@example.com");
    const res = await new Browser(t).submit(path, newcomer);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("use the sign-in form");
  });

  test("the invite form refuses a post without its CSRF token", async () => {
    const { path } = await setup();
    const b = new Browser(t);
    await b.get(path);
    expect((await b.post(path, newcomer)).status).toBe(403);
    expect(await findUserByEmail(t.deps.db, "nia@example.com")).toBeUndefined();
  });

  test("createInvite validates its input", async () => {
    const { admin, org } = await setup();
    await expect(createInvite(t.deps, { orgId: org.id, role: "emperor" as "owner", createdBy: admin.id })).rejects.toThrow("role");
    await expect(createInvite(t.deps, { orgId: org.id, role: "viewer", email: "nope", createdBy: admin.id })).rejects.toThrow("email");
  });
});
