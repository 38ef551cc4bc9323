/**
 * Management tools for settings: the audit log (and replaying a call on the draft), members, authorized apps and the
 * connection doctor (all read-only but the replay). Each is a
 * service operation (docs/architecture.md: Service layer): its input schema, permission rule and result
 * are the operation's, the same as on the pages, the API and the CLI.
 */
import { diagnosisText } from "../../doctor/summary";
import { listAudit } from "../../services/audit";
import { replayAuditedCall } from "../../services/audit-replay";
import { diagnoseProject, type Diagnosis } from "../../services/diagnose";
import { listOrgGrants } from "../../services/grants";
import { viewMembers } from "../../services/members";
import { fromOperation, type ManagementToolSpec } from "./spec";

const SETTINGS = { scope: "settings", readOnly: true } as const;

export const SETTINGS_TOOLS: ManagementToolSpec[] = [
  fromOperation(listAudit, { name: "portico_query_audit", ...SETTINGS, result: (page) => page }),
  // Runs the draft (audited as a replay), so not read-only; the operation also needs `draft` and `project:write`.
  fromOperation(replayAuditedCall, { name: "portico_replay_call", scope: "settings", readOnly: false, result: (r) => r }),
  fromOperation(viewMembers, { name: "portico_list_members", ...SETTINGS, result: (v) => ({ members: v.members }) }),
  // This project's live grants, in the field names this tool has always answered with (no tokens).
  fromOperation(listOrgGrants, {
    name: "portico_list_grants", ...SETTINGS,
    result: (grants) => ({
      grants: grants.map((g) => ({
        id: g.id, user: g.userEmail, client: g.clientName, channel: g.channel, scopes: g.scopes, createdAt: g.createdAt, lastUsedAt: g.lastUsedAt, revokedAt: g.revokedAt,
      })),
    }),
  }),
  // Issue 17: the report as structuredContent, and the same plain-text summary `portico doctor` prints.
  fromOperation(diagnoseProject, {
    name: "portico_diagnose_connections", ...SETTINGS,
    result: (report) => report,
    text: (structured) => diagnosisText(structured as unknown as Diagnosis),
  }),
];
