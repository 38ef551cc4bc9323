/**
 * A 2026-07-28 (stateless) request context around real deps, for driving `callTool` directly while the
 * stateless transport is not on this branch: what the transport builds from the request's credential
 * and `_meta` (clientCapabilities), nothing held from an earlier request.
 */
import type { Principal } from "../../../src/auth/principal";
import type { Channel } from "../../../src/db/schema";
import type { Deps } from "../../../src/deps";
import type { RequestContext } from "../../../src/mcp/context";
import { callTool } from "../../../src/mcp/methods/tools";
import { findProjectRef } from "../../../src/projects/project-ref";
import { McpService } from "../../../src/mcp/service";

export const API_KEY: Principal = { kind: "apikey", userId: "u1", apiKeyId: "key_one", role: "developer", scopes: ["project:read", "tools:call", "draft", "project:write"] };
export const OTHER_KEY: Principal = { ...API_KEY, apiKeyId: "key_two" };
export const ANONYMOUS = (ip: string): Principal => ({ kind: "anonymous", ip, scopes: ["project:read", "tools:call"] });

export interface StatelessCaller {
  call(params: Record<string, unknown>, opts?: { principal?: Principal; capabilities?: Record<string, unknown>; channel?: Channel }): Promise<Record<string, unknown>>;
  close(): void;
}

export function statelessCaller(deps: Deps, orgSlug: string, projectSlug: string): StatelessCaller {
  const service = new McpService(deps);
  return {
    async call(params, opts = {}) {
      const project = (await findProjectRef(deps.db, orgSlug, projectSlug))!;
      const channel = opts.channel ?? "draft";
      const ctx: RequestContext = {
        deps, service, project,
        target: { orgId: project.orgId, projectId: project.id, orgSlug, projectSlug, channel },
        principal: opts.principal ?? API_KEY,
        session: null, protocolVersion: "2026-07-28", stateless: true, clientInfo: null,
        clientCapabilities: opts.capabilities ?? { elicitation: {}, sampling: {}, roots: {} },
        logLevel: null, traceparent: null, span: null,
        request: new Request("http://localhost/"), notify: () => {}, canStream: false, keepOpen: () => {},
        signal: new AbortController().signal, notes: { status: "ok" },
      };
      return (await callTool(ctx, params)) as Record<string, unknown>;
    },
    close: () => service.close(),
  };
}
