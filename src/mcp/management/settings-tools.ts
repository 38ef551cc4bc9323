/** Management tools for settings: the audit log, members and authorized apps (all read-only). */
import { desc, eq } from "drizzle-orm";
import { queryAudit } from "../../audit/query";
import { grants, oauthClients, users } from "../../db/schema";
import { listMembers } from "../../projects/orgs";
import { obj, type ManagementToolSpec } from "./spec";

export const SETTINGS_TOOLS: ManagementToolSpec[] = [
  {
    name: "portico_query_audit", scope: "settings", flag: "managementSettings", readOnly: true,
    inputSchema: obj({
      tool: { type: "string" }, status: { enum: ["ok", "error"] }, channel: { enum: ["production", "draft"] },
      from: { type: "integer" }, to: { type: "integer" }, cursor: { type: "integer" }, limit: { type: "integer", minimum: 1, maximum: 100 },
    }),
    description: "Read this project's audit log of MCP requests, newest first (filters: tool, status, channel, time range).",
    run: (ctx, a) => queryAudit(ctx.deps.db, ctx.project.id, { limit: 20, ...a }),
  },
  {
    name: "portico_list_members", scope: "settings", flag: "managementSettings", readOnly: true, inputSchema: obj(),
    description: "List the organization's members and their roles.",
    run: (ctx) => ({ members: listMembers(ctx.deps.db, ctx.project.orgId) }),
  },
  {
    name: "portico_list_grants", scope: "settings", flag: "managementSettings", readOnly: true, inputSchema: obj(),
    description: "List the apps users have authorized for this project (no tokens).",
    run: (ctx) => ({
      grants: ctx.deps.db
        .select({
          id: grants.id, user: users.email, client: oauthClients.name, channel: grants.channel, scopes: grants.scopes,
          createdAt: grants.createdAt, lastUsedAt: grants.lastUsedAt, revokedAt: grants.revokedAt,
        })
        .from(grants)
        .innerJoin(users, eq(users.id, grants.userId))
        .leftJoin(oauthClients, eq(oauthClients.id, grants.clientId))
        .where(eq(grants.projectId, ctx.project.id))
        .orderBy(desc(grants.createdAt))
        .limit(200)
        .all(),
    }),
  },];
