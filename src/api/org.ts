/** `/api/v1/orgs/{org}/members|invites|grants|audit` and `/api/v1/account/...`: org and account settings. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { endAllSessions } from "../auth/sessions";
import { changeRoleOp, endMemberOrgAccessOp, InviteSchema, inviteOp, membersView, removeMemberOp, revokeInviteOp, RoleChangeSchema } from "../services/members";
import { listOrgGrantsOp, listOwnGrants, revokeOrgGrantOp, revokeOwnGrant } from "../services/grants";
import { listOrgEventsOp } from "../services/org-events";
import { apiOrgAccess, apiSessionOnly } from "./caller";
import { created, doc, noContent } from "./doc";

/** Org and account API routes. */
export function orgRoutes(deps: Deps) {
  const access = (request: Request, params: { org: string }) => apiOrgAccess(deps, request, params.org);
  return new Elysia()
    .get("/orgs/:org/members", ({ request, params }) => membersView(deps, access(request, params)), doc("members", "Members with roles, and pending invites (admins)"))
    .post("/orgs/:org/invites", ({ request, params, body }) => {
      const invite = inviteOp(deps, access(request, params), body);
      return created({ id: invite.id, url: invite.url });
    }, doc("members", "Create an invite link for a role; the link is returned only here (admin; owner for owners)", { body: InviteSchema }))
    .delete("/orgs/:org/invites/:id", ({ request, params }) => {
      revokeInviteOp(deps, access(request, params), params.id);
      return noContent();
    }, doc("members", "Withdraw a pending invite (admin)"))
    .put("/orgs/:org/members/:user/role", ({ request, params, body }) => changeRoleOp(deps, access(request, params), params.user, body),
      doc("members", "Change a member's role (admin; owner for the owner role)", { body: RoleChangeSchema }))
    // The path keeps its old name so existing scripts work; it now ends only this org's access (issue 11 #4).
    .post("/orgs/:org/members/:user/sessions/end", ({ request, params }) => endMemberOrgAccessOp(deps, access(request, params), params.user),
      doc("members", "End a member's access to this org: their OAuth grants for its projects and their API keys in it; their sessions and other orgs are untouched (admin; owner for owners)"))
    .delete("/orgs/:org/members/:user", ({ request, params }) => {
      removeMemberOp(deps, access(request, params), params.user);
      return noContent();
    }, doc("members", "Remove a member; their grants and API keys in this org are revoked at once, for good (admin)"))
    .get("/orgs/:org/grants", ({ request, params, query }) => ({ grants: listOrgGrantsOp(deps, access(request, params), query) }),
      doc("authorized apps", "Every live grant in the org (admin)", { description: "Filters: project (id), user (id), client (name or id substring), channel." }))
    .delete("/orgs/:org/grants/:id", ({ request, params }) => {
      revokeOrgGrantOp(deps, access(request, params), params.id);
      return noContent();
    }, doc("authorized apps", "Revoke a grant; its next MCP request gets 401 (admin)"))
    .get("/orgs/:org/audit", ({ request, params, query }) => {
      const { events, next } = listOrgEventsOp(deps, access(request, params), query);
      return { events, nextCursor: next };
    }, doc("audit", "Org events: members, roles, grants, keys, visibility, publish (admin)", { description: "Filters: action, before (cursor), limit." }))
    .get("/account/grants", ({ request }) => ({ grants: listOwnGrants(deps, apiSessionOnly(deps, request).user.id) }),
      doc("account", "Your own connected apps"))
    .delete("/account/grants/:id", ({ request, params }) => {
      revokeOwnGrant(deps, apiSessionOnly(deps, request).user.id, params.id);
      return noContent();
    }, doc("account", "Disconnect one of your apps"))
    .post("/account/sign-out-everywhere", ({ request }) => {
      const { user } = apiSessionOnly(deps, request);
      return { sessionsEnded: endAllSessions(deps, user.id, "signed out everywhere") };
    }, doc("account", "End all your sessions (and the grants bound to them), this one too"));
}
