/** Account → Connected apps: a member's own grants, each revocable by them alone. */
import { describe, expect, test } from "bun:test";
import { createGrant, getGrant } from "../../src/oauth/grants";
import { postForm, req } from "../helpers";
import { seededApp, type Member } from "./fixtures";

const w = seededApp();

async function grantOf(m: Member) {
  return await createGrant(w.deps.db, {
      userId: m.id, orgId: w.org.id, projectId: w.project.id, channel: "production", resource: "http://localhost/acme/shop",
      clientId: "cli_unknown", scopes: "project:read tools:call", sessionId: m.sessionId,
    });
}

describe("connected apps page", () => {
  test("lists only the user's own grants; revoking one ends it; another user's grant is not theirs to revoke", async () => {
    const mine = await grantOf(w.members.developer);
    const theirs = await grantOf(w.members.viewer);
    const dev = w.members.developer;
    const page = await (await req(w.app, "/account/apps", { headers: { cookie: dev.cookie } })).text();
    expect(page).toContain(`/account/apps/${mine.id}/revoke`);
    expect(page).not.toContain(theirs.id);
    expect(page).toContain("this browser");
    expect(page).toContain('action="/account/sign-out-everywhere"');
    const other = await postForm(w.app, `/account/apps/${theirs.id}/revoke`, { csrf: dev.csrf }, dev.cookie);
    expect(other.status).toBe(404);
    expect((await getGrant(w.deps.db, theirs.id))!.revokedAt).toBeNull();
    const res = await postForm(w.app, `/account/apps/${mine.id}/revoke`, { csrf: dev.csrf }, dev.cookie);
    expect(res.headers.get("location")).toBe("/account/apps?ok=revoked");
    expect((await getGrant(w.deps.db, mine.id))!.revokedReason).toBe("revoked by the user");
    const after = await (await req(w.app, "/account/apps?ok=revoked", { headers: { cookie: dev.cookie } })).text();
    expect(after).toContain("Disconnected.");
    expect(after).toContain("You have not connected any app yet");
  });
});
