/** The operations on an organization's settings: members, invites, API keys, grants, audit, the connection doctor. */
import { exportAuditLog, getAuditEvent, listAudit } from "./audit";
import { diagnoseProject } from "./diagnose";
import { listOrgGrants } from "./grants";
import { createKey, listKeys, revokeKey } from "./keys";
import { changeRole, endMemberAccess, inviteMember, removeOrgMember, revokeMemberInvite, viewMembers } from "./members";
import type { AnyOperation } from "./operation";
import { exportOrgAuditEvents, listOrgAuditEvents } from "./org-events";

export const ORG_OPERATIONS = [
  listKeys, createKey, revokeKey,
  viewMembers, inviteMember, revokeMemberInvite, changeRole, removeOrgMember, endMemberAccess,
  listOrgGrants,
  listAudit, getAuditEvent, exportAuditLog,
  listOrgAuditEvents, exportOrgAuditEvents,
  diagnoseProject,
] as unknown as AnyOperation[];
