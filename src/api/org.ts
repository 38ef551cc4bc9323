/** `/api/v1/orgs/{org}/members|invites|grants|audit` and `/api/v1/account/...`: org and account settings. */
import { orgChainStatus, signOrgChainHead } from "../services/audit-chain";
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { endAllSessions } from "../auth/sessions";
import { invoke } from "../services/operation";
import { changeRole, endMemberAccess, inviteMember, removeOrgMember, revokeMemberInvite, RoleChangeSchema, viewMembers } from "../services/members";
import { listOrgGrants, listOwnGrants, revokeOrgGrantOp, revokeOwnGrant } from "../services/grants";
import { exportOrgAuditEvents, listOrgAuditEvents } from "../services/org-events";
import { downloadResponse } from "../services/audit";
import { NotFoundError } from "../errors";
import { apiOrgAccess, apiSessionOnly } from "./caller";
import { created, doc, noContent, opDoc } from "./doc";

/** The JSON body as an object to merge path parameters into (anything else parses as an empty body). */
const bodyOf = (body: unknown): Record<string, unknown> => (body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {});

const ORG_AUDIT_FILTERS = "Filters: action, actor (user id), from / to (ISO 8601 in UTC or epoch ms), before (cursor), limit.";

/** Org and account API routes. */
export function orgRoutes(deps: Deps) {
  const access = async (request: Request, params: { org: string }) => (await apiOrgAccess(deps, request, params.org));
  return new Elysia()
    .get("/orgs/:org/members", async ({ request, params }) => (await invoke(viewMembers, deps, await access(request, params), {})), doc("members", viewMembers.summary))
    .post("/orgs/:org/invites", async ({ request, params, body }) => {
      const invite = await invoke(inviteMember, deps, await access(request, params), body);
      return created({ id: invite.id, url: invite.url });
    }, opDoc("members", inviteMember))
    .delete("/orgs/:org/invites/:id", async ({ request, params }) => {
      await invoke(revokeMemberInvite, deps, await access(request, params), { id: params.id });
      return noContent();
    }, doc("members", revokeMemberInvite.summary))
    .put("/orgs/:org/members/:user/role", async ({ request, params, body }) => (await invoke(changeRole, deps, await access(request, params), { ...bodyOf(body), userId: params.user })),
      doc("members", changeRole.summary, { body: RoleChangeSchema.omit({ userId: true }) }))
    // The path keeps its old name so existing scripts work; it now ends only this org's access (issue 11 #4).
    .post("/orgs/:org/members/:user/sessions/end", async ({ request, params }) => (await invoke(endMemberAccess, deps, await access(request, params), { userId: params.user })),
      doc("members", endMemberAccess.summary))
    .delete("/orgs/:org/members/:user", async ({ request, params }) => {
      await invoke(removeOrgMember, deps, await access(request, params), { userId: params.user });
      return noContent();
    }, doc("members", removeOrgMember.summary))
    .get("/orgs/:org/grants", async ({ request, params, query }) => ({ grants: await invoke(listOrgGrants, deps, await access(request, params), query) }),
      doc("authorized apps", "Every live grant in the org (admin)", { description: "Filters: project (id), user (id), client (name or id substring), channel." }))
    .delete("/orgs/:org/grants/:id", async ({ request, params }) => {
      await revokeOrgGrantOp(deps, await access(request, params), params.id);
      return noContent();
    }, doc("authorized apps", "Revoke a grant; its next MCP request gets 401 (admin)"))
    .get("/orgs/:org/audit", async ({ request, params, query }) => {
      const { events, next } = await invoke(listOrgAuditEvents, deps, await access(request, params), query);
      return { events, nextCursor: next };
    }, doc("audit", listOrgAuditEvents.summary, { description: ORG_AUDIT_FILTERS }))
    .get("/orgs/:org/audit/export", async ({ request, params, query }) => {
      const format = (query as Record<string, unknown>).format ?? "jsonl";
      if (format !== "jsonl" && format !== "csv") throw new NotFoundError("Export formats are jsonl and csv.");
      return downloadResponse(await invoke(exportOrgAuditEvents, deps, await access(request, params), { ...query, format }));
    }, doc("audit", exportOrgAuditEvents.summary, { description: `format=jsonl|csv. ${ORG_AUDIT_FILTERS}` }))
    .get("/orgs/:org/audit/chain", async ({ request, params, query }) => await invoke(orgChainStatus, deps, await access(request, params), query),
      doc("audit", orgChainStatus.summary, { description: "verify=true recomputes the chain (reads every row since the retention checkpoint)." }))
    .get("/orgs/:org/audit/chain/statement", async ({ request, params }) => await invoke(signOrgChainHead, deps, await access(request, params), {}),
      doc("audit", signOrgChainHead.summary))
    .get("/account/grants", async ({ request }) => ({ grants: await listOwnGrants(deps, (await apiSessionOnly(deps, request)).user.id) }),
      doc("account", "Your own authorized apps"))
    .delete("/account/grants/:id", async ({ request, params }) => {
      await revokeOwnGrant(deps, (await apiSessionOnly(deps, request)).user.id, params.id);
      return noContent();
    }, doc("account", "Disconnect one of your apps"))
    .post("/account/sign-out-everywhere", async ({ request }) => {
      const { user } = await apiSessionOnly(deps, request);
      return { sessionsEnded: await endAllSessions(deps, user.id, "signed out everywhere") };
    }, doc("account", "End all your sessions (and the grants bound to them), this one too"));
}
