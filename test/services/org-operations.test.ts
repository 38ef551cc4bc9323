/**
 * The org/settings operations behave the same on every face (docs/architecture.md: Service layer): the
 * management tools' grants list is the live list the pages and API show, and the audit log has one filter,
 * one page-size rule and one reader rule.
 */
import { describe, expect, test } from "bun:test";
import { seededApp } from "../admin/fixtures";
import { getUser } from "../../src/auth/users";
import { createGrant, revokeGrant } from "../../src/oauth/grants";
import type { Scope } from "../../src/auth/scopes";
import { projectAccess } from "../../src/services/access";
import { listAudit } from "../../src/services/audit";
import { listOrgGrants } from "../../src/services/grants";
import { invoke } from "../../src/services/operation";

const w = seededApp();

const asGrant = async (userId: string, scopes: Scope[]) =>
  (await projectAccess(w.deps, await getUser(w.deps.db, userId), { kind: "grant", grantId: "gnt_test", scopes }, "acme", "shop"));

describe("org/settings operations across faces", () => {
  test("the grants list a management tool sees is the live list: revoked grants are left out", async () => {
    const member = w.members.developer;
    const grant = async () =>
      (await createGrant(w.deps.db, {
                userId: member.id, orgId: w.org.id, projectId: w.project.id, channel: "production", resource: "http://localhost/acme/shop",
                clientId: "https://claude.ai/oauth/mcp-oauth-client-metadata", scopes: "project:read tools:call", sessionId: member.sessionId,
              }));
    const live = await grant();
    const ended = await grant();
    await revokeGrant(w.deps, ended.id, { actorId: null, reason: "test" });
    const ids = (await invoke(listOrgGrants, w.deps, await asGrant(w.members.admin.id, ["settings"]), {})).map((g) => g.id);
    expect(ids).toContain(live.id);
    expect(ids).not.toContain(ended.id);
  });

  test("one audit filter: limit 1–500 (default 50) everywhere; reading needs developer, and `settings` for a scoped credential", async () => {
    const admin = await asGrant(w.members.admin.id, ["settings"]);
    await expect(invoke(listAudit, w.deps, admin, { limit: 501 })).rejects.toThrow(/limit/);
    expect((await invoke(listAudit, w.deps, admin, { limit: 500, user: w.members.viewer.id })).events).toEqual([]);
    await expect(invoke(listAudit, w.deps, await asGrant(w.members.developer.id, ["project:read", "project:write"]), {})).rejects.toThrow(/settings/);
    await expect(invoke(listAudit, w.deps, await asGrant(w.members.viewer.id, ["settings"]), {})).rejects.toThrow(/developer/);
  });
});
