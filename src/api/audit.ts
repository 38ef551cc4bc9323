/** `/api/v1/projects/{org}/{project}/audit`: the MCP audit log with filters, cursor pages and export. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { invoke } from "../services/operation";
import { downloadResponse, exportAuditLog, getAuditEvent, listAudit } from "../services/audit";
import { NotFoundError } from "../errors";
import { replayAuditedCall } from "../services/audit-replay";
import { projectChainStatus, signProjectChainHead } from "../services/audit-chain";
import { projectAccessFor } from "./caller";
import { doc } from "./doc";

const FILTERS =
  "Query filters: tool (any part of the name, any case), status (ok|error), user (user id), client (OAuth client id or API key id), host (prefix of the host name), " +
  "channel (production|draft), from / to (ISO 8601 in UTC or epoch ms), cursor (nextCursor of the previous page), limit (1–500, default 50).";

/** Audit API routes. */
export function auditRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia()
    .get("/projects/:org/:project/audit", async ({ request, params, query }) => (await invoke(listAudit, deps, await access(request, params), query)),
      doc("audit", "Audit events, newest first (developer)", { description: FILTERS }))
    .get("/projects/:org/:project/audit/export", async ({ request, params, query }) => {
      const format = (query as Record<string, unknown>).format ?? "jsonl";
      if (format !== "jsonl" && format !== "csv") throw new NotFoundError("Export formats are jsonl and csv.");
      return downloadResponse(await invoke(exportAuditLog, deps, await access(request, params), { ...query, format }));
    }, doc("audit", exportAuditLog.summary, { description: `format=jsonl|csv. ${FILTERS}` }))
    .get("/projects/:org/:project/audit/chain", async ({ request, params, query }) => await invoke(projectChainStatus, deps, await access(request, params), query),
      doc("audit", projectChainStatus.summary, { description: "verify=true recomputes the chain (reads every row since the retention checkpoint)." }))
    .get("/projects/:org/:project/audit/chain/statement", async ({ request, params }) => await invoke(signProjectChainHead, deps, await access(request, params), {}),
      doc("audit", signProjectChainHead.summary))
    .get("/projects/:org/:project/audit/:id", async ({ request, params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id) || id < 1) throw new NotFoundError("No such audit event in this project.");
      return await invoke(getAuditEvent, deps, await access(request, params), { id });
    }, doc("audit", getAuditEvent.summary))
    .post("/projects/:org/:project/audit/:id/replay", async ({ request, params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id) || id < 1) throw new NotFoundError("No such audit event in this project.");
      return await invoke(replayAuditedCall, deps, await access(request, params), { id });
    }, doc("audit", replayAuditedCall.summary));
}
