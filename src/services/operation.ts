/**
 * One operation, declared once (docs/architecture.md: Service layer): its zod input schema, its permission
 * rule, its org audit event and its result. Every face — settings pages, JSON API, MCP management tools,
 * CLI — is a thin adapter that resolves an access and calls `invoke`; the schema also feeds the OpenAPI
 * document and the management tool's `inputSchema` (`z.toJSONSchema`), so nothing is written twice.
 */
import { z } from "zod";
import { recordOrgEvent } from "../audit/org-audit";
import type { Role } from "../db/schema";
import type { Deps } from "../deps";
import type { Scope } from "../auth/scopes";
import { need, type OrgAccess, type ProjectAccess } from "./access";
import { parseInput } from "./input";

/**
 * Who may run an operation: the lowest role, and the scopes a credential that carries scopes (an API key,
 * an OAuth grant on a management tool) must hold — the scope table (docs/architecture.md: Roles and scopes), one way to say it.
 */
export interface Permission {
  role: Role;
  scopes: readonly Scope[];
}

/** The permission rules the product uses (docs/architecture.md: where each rule lives). */
export const CAN = {
  readProduction: { role: "viewer", scopes: ["project:read"] },
  workOnDraft: { role: "developer", scopes: ["draft", "project:write"] },
  publish: { role: "admin", scopes: ["publish"] },
  manageSettings: { role: "admin", scopes: ["settings"] },
} as const satisfies Record<string, Permission>;

/** What the org audit log records after a successful change; reads declare `READ_ONLY` instead. */
export interface AuditEvent<I, O> {
  action: string;
  /** What the event is about, e.g. `{ type: "tool", id: "search" }`. */
  target?(input: I, output: O): { type: string; id: string } | null;
  /** Names and counts only — never a secret, token or key. */
  details?(input: I, output: O): Record<string, unknown> | null;
  /** Record only when this holds (a no-op — a role set to what it was — changes nothing worth a row). */
  when?(input: I, output: O): boolean;
  /** The project the event concerns, for org-level operations that touch one (default: the access's). */
  projectId?(input: I, output: O): string | null;
}

/** Declared by operations that change nothing, so every operation says what it audits. */
export const READ_ONLY = "read-only" as const;

export interface Operation<S extends z.ZodType, O, A extends OrgAccess> {
  /** `domain.verb`, e.g. `tools.duplicate`; also the management tool and CLI names' source. */
  name: string;
  /** One sentence: the API summary, the management tool's description, the CLI help. */
  summary: string;
  /** Words for the 403 message ("You need to be an admin … to {what}"). */
  what: string;
  input: S;
  permission: Permission;
  audit: AuditEvent<z.output<S>, O> | typeof READ_ONLY;
  run(deps: Deps, access: A, input: z.output<S>): O | Promise<O>;
}

/** Any operation, for registries and the declaration test. */
export type AnyOperation = Operation<z.ZodType, unknown, OrgAccess>;

export type ProjectOperation<S extends z.ZodType, O> = Operation<S, O, ProjectAccess>;

/** Declares a project operation (typed input and output; no behaviour of its own). */
export function projectOperation<S extends z.ZodType, O>(op: ProjectOperation<S, O>): ProjectOperation<S, O> {
  return op;
}

/** Declares an org operation. */
export function orgOperation<S extends z.ZodType, O>(op: Operation<S, O, OrgAccess>): Operation<S, O, OrgAccess> {
  return op;
}

/** Parses the input, checks the permission, runs the operation and records its audit event. */
export async function invoke<S extends z.ZodType, O, A extends OrgAccess>(op: Operation<S, O, A>, deps: Deps, access: A, raw: unknown): Promise<O> {
  need(access, op.permission.role, op.what, op.permission.scopes);
  const input = parseInput(op.input, raw ?? {});
  const output = await op.run(deps, access, input);
  const projectId = "project" in access ? (access as unknown as ProjectAccess).project.id : null;
  await recordAudit(deps, op.audit, { orgId: access.org.id, actorId: access.user.id, projectId }, input, output);
  return output;
}

/**
 * Records an operation's declared audit event after a successful run. `invoke` calls it; so do the CLI's
 * operator commands, which act with the data dir's authority rather than as a member under a role — the
 * event is still described once, in the operation.
 */
export async function recordAudit<I, O>(
  deps: Pick<Deps, "db" | "clock">,
  audit: AuditEvent<I, O> | typeof READ_ONLY,
  where: { orgId: string; actorId: string | null; projectId?: string | null },
  input: I,
  output: O,
): Promise<void> {
  if (audit === READ_ONLY || audit.when?.(input, output) === false) return;
  const target = audit.target?.(input, output) ?? null;
  await recordOrgEvent(deps.db, {
        orgId: where.orgId,
        actorId: where.actorId,
        action: audit.action,
        targetType: target?.type ?? null,
        targetId: target?.id ?? null,
        projectId: audit.projectId ? audit.projectId(input, output) : (where.projectId ?? null),
        details: audit.details?.(input, output) ?? null,
        time: deps.clock.now(),
      });
}

/** The JSON Schema of an operation's input (OpenAPI bodies, management tools' `inputSchema`). */
export function inputJsonSchema(op: AnyOperation): Record<string, unknown> {
  return z.toJSONSchema(op.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
