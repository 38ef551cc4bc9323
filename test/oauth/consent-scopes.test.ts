/**
 * The consent page's scope checkboxes and management-tools list (issue 16 #3): the grant carries exactly the
 * ticked scopes among those offered; the page lists what the management tools can do only where the project
 * offers them on that URL.
 */
import { describe, expect, test } from "bun:test";
import { desc } from "drizzle-orm";
import { grants } from "../../src/db/schema";
import { updateProject } from "../../src/projects/projects";
import { approve, authorizeParams, authorizePath, openConsent, pkce, registerClient, signIn, worldPerTest } from "./fixtures";

const ctx = worldPerTest();

async function consentPath(resource: string, scope?: string) {
  const client = await registerClient(ctx.t.app);
  return authorizePath(authorizeParams(client.client_id, pkce().challenge, resource, { scope }));
}

const lastGrantScopes = () => ctx.t.deps.db.select().from(grants).orderBy(desc(grants.createdAt)).limit(1).get()!.scopes.split(" ").sort();

describe("consent scopes", () => {
  test("attack: a consent post cannot add a scope the page did not offer (beyond the role, or management off on production)", async () => {
    const { cookie } = await signIn(ctx.t.deps, ctx.w.users.developer.email);
    await approve(ctx.t.app, await consentPath(ctx.w.url("shop")), cookie, {
      scopes_shown: "1", "scope:project:read": "on", "scope:tools:call": "on", "scope:project:write": "on", "scope:publish": "on", "scope:settings": "on", "scope:draft": "on",
    });
    expect(lastGrantScopes()).toEqual(["project:read", "tools:call"]);
  });

  test("unticking everything still grants project:read: the one scope a grant cannot work without", async () => {
    const { cookie } = await signIn(ctx.t.deps, ctx.w.users.viewer.email);
    await approve(ctx.t.app, await consentPath(ctx.w.url("shop")), cookie, { scopes_shown: "1" });
    expect(lastGrantScopes()).toEqual(["project:read"]);
  });

  test("a client that did not name a project gets the picker, and the role's scopes as before (no checkboxes there)", async () => {
    const { cookie } = await signIn(ctx.t.deps, ctx.w.users.viewer.email);
    const client = await registerClient(ctx.t.app);
    const page = await openConsent(ctx.t.app, authorizePath(authorizeParams(client.client_id, pkce().challenge, undefined)), cookie);
    expect(page.html).toContain('name="resource"');
    expect(page.html).not.toContain("scopes_shown");
  });

  test("the page lists what the management tools can do only where the project offers them on that URL", async () => {
    const { cookie } = await signIn(ctx.t.deps, ctx.w.users.admin.email);
    const production = await openConsent(ctx.t.app, await consentPath(ctx.w.url("shop")), cookie);
    expect(production.html).not.toContain("Management tools");
    expect(production.html).not.toContain('name="scope:publish"');
    const draft = await openConsent(ctx.t.app, await consentPath(ctx.w.url("shop", "draft")), cookie);
    expect(draft.html).toContain("Management tools");
    expect(draft.html).toContain("Publish the draft, roll back, and list versions");
    expect(draft.html).toContain('name="scope:publish" checked>');
    expect(draft.html).toContain('name="scope:draft" checked disabled>');
    await updateProject(ctx.t.deps.db, ctx.w.shop.id, { managementTools: "draft_and_production" });
    const opted = await openConsent(ctx.t.app, await consentPath(ctx.w.url("shop")), cookie);
    expect(opted.html).toContain("Read the audit log and list members and authorized apps");
    await updateProject(ctx.t.deps.db, ctx.w.shop.id, { managementTools: "off" });
    const off = await openConsent(ctx.t.app, await consentPath(ctx.w.url("shop", "draft")), cookie);
    expect(off.html).not.toContain("Management tools");
    expect(off.html).not.toContain('name="scope:project:write"');
  });
});
