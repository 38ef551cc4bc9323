/**
 * An error page below an org offers "Back to the organization" only to its members (issue 16 #8, found by
 * the crawler): for a signed-in user of no org there, that link was one more 404. Everyone keeps the
 * header and the link to their organizations.
 */
import { describe, expect, test } from "bun:test";
import { req } from "../helpers";
import { seededApp } from "./fixtures";

const t = seededApp();

describe("error pages: a way back that leads somewhere", () => {
  test("a member's 404 below the org links back to the org", async () => {
    const res = await req(t.app, "/admin/acme/shop/tools/no-such-tool", { headers: { cookie: t.members.viewer.cookie } });
    expect(res.status).toBe(404);
    const page = await res.text();
    expect(page).toContain('href="/admin/acme">Back to the organization');
    expect(page).toContain('href="/admin">Your organizations');
  });

  test("a user of no org gets no link to the org that answered 404, only to their organizations", async () => {
    const res = await req(t.app, "/admin/acme/shop/tools/no-such-tool", { headers: { cookie: t.members.outsider.cookie } });
    expect(res.status).toBe(404);
    const page = await res.text();
    expect(page).not.toContain("Back to the organization");
    expect(page).not.toContain('href="/admin/acme"');
    expect(page).toContain('href="/admin">Your organizations');
    expect((await req(t.app, "/admin/acme", { headers: { cookie: t.members.outsider.cookie } })).status).toBe(404);
  });
});
