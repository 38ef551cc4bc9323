/**
 * The CLI's operator commands (`apikey create`, `member add`) act on the data dir, not as a member under a
 * role, so they do not go through `invoke`'s permission check; they still record the operation's own
 * declared audit event, so an event is described once, in the operation (docs/architecture.md: Service layer).
 */
import { recordOrgEvent } from "../audit/org-audit";
import type { Deps } from "../deps";
import { READ_ONLY, type AuditEvent } from "./operation";

/** Records `audit` as `invoke` would after a successful run, for an actor the operator names. */
export function recordOperatorEvent<I, O>(
  deps: Deps,
  audit: AuditEvent<I, O> | typeof READ_ONLY,
  where: { orgId: string; actorId: string | null; projectId?: string },
  input: I,
  output: O,
): void {
  if (audit === READ_ONLY) return;
  const target = audit.target?.(input, output) ?? null;
  recordOrgEvent(deps.db, {
    orgId: where.orgId,
    actorId: where.actorId,
    action: audit.action,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    projectId: where.projectId ?? null,
    details: audit.details?.(input, output) ?? null,
  });
}
