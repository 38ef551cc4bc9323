/** One audit row per MCP request (docs/architecture.md: Audit event), built from the request context and its notes. */
import { auditPayload } from "../audit/payload";
import { validTraceparent } from "../lib/trace-context";
import type { AuditRow } from "../audit/writer";
import type { RequestContext } from "./context";

export function auditRow(ctx: RequestContext, method: string, ip: string, durationMs: number): AuditRow {
  const { notes, principal, session, project } = ctx;
  const info = ctx.clientInfo ?? session?.clientInfo ?? null;
  const host = info ? `${info.name} ${info.version}`.trim() : null;
  return {
    projectId: project.id,
    time: ctx.deps.clock.now(),
    channel: ctx.target.channel,
    principal: principal.kind,
    userId: principal.kind === "anonymous" ? null : principal.userId,
    grantId: principal.kind === "user" ? principal.grantId : null,
    clientId: principal.kind === "user" ? principal.clientId : null,
    apiKeyId: principal.kind === "apikey" ? principal.apiKeyId : null,
    sessionId: session?.id ?? null,
    method: method.slice(0, 100),
    tool: notes.tool ?? null,
    version: notes.version ?? null,
    input: auditPayload(notes.input, project.storePayloads),
    output: auditPayload(notes.output, project.storePayloads),
    status: notes.status,
    errorClass: notes.errorClass ?? null,
    error: notes.error?.slice(0, 2000) ?? null,
    logs: notes.logs?.length ? auditPayload(notes.logs, project.storePayloads) : null,
    durationMs: Math.round(durationMs),
    host,
    ip,
    // The revision the request was served under, and its trace context only when well-formed (W3C §3.2).
    protocolVersion: ctx.protocolVersion ? ctx.protocolVersion.slice(0, 20) : null,
    traceparent: validTraceparent(ctx.traceparent),
  };
}
