/**
 * Org audit events in words (issue 16 #6: "human-readable event descriptions instead of codes and raw
 * JSON"). Pure: the caller looks the names up once per page (users, apps, projects) and passes them; an id
 * whose row is gone reads as "a former member" or "a removed app", never as the id. An action this file does
 * not know yet still reads as words: its code and its details as `key: value` text.
 */
import type { OrgAuditEvent } from "../db/schema";

export interface OrgEventNames {
  /** User id → email. */
  users: Map<string, string>;
  /** OAuth client id → app name. */
  clients: Map<string, string>;
}

type Details = Record<string, unknown>;

const q = (s: unknown) => `"${String(s)}"`;
const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(", ") : String(v ?? ""));
const plural = (n: unknown, one: string, many = `${one}s`) => `${Number(n) || 0} ${Number(n) === 1 ? one : many}`;

/** "added a, b; removed c; changed d" from `{ added, removed, changed }` lists; "" when all are empty. */
function changes(diff: unknown): string {
  if (!diff || typeof diff !== "object") return "";
  const d = diff as Record<string, unknown>;
  return (["added", "removed", "changed"] as const)
    .filter((k) => Array.isArray(d[k]) && (d[k] as unknown[]).length)
    .map((k) => `${k} ${list(d[k])}`)
    .join("; ");
}

/** `key: value` text of details no rule below knows (values as compact JSON, strings as they are). */
function fallback(details: Details): string {
  return Object.entries(details).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
}

/** What the event filter calls each action (an action not listed here is offered by its code). */
const ACTION_LABELS: Record<string, string> = {
  "org.created": "Organization created", "project.created": "Project created", "project.settings": "Project settings changed",
  "project.visibility": "Visibility changed", "project.publish": "Published", "project.rollback": "Rolled back",
  "instructions.set": "Instructions edited", "tool.created": "Tool created", "tool.updated": "Tool edited", "tool.deleted": "Tool deleted",
  "tool.duplicated": "Tool copied", "prompt.saved": "Prompt saved", "prompt.deleted": "Prompt deleted", "manifest.imported": "Manifest imported",
  "secret.set": "Secret set", "secret.delete": "Secret removed", "invite.created": "Member invited", "invite.revoked": "Invitation withdrawn",
  "member.joined": "Member joined", "member.added": "Member added", "member.role": "Role changed", "member.removed": "Member removed",
  "member.access_ended": "Member access ended", "grant.created": "App connected", "grant.revoked": "App disconnected",
  "apikey.create": "API key created", "apikey.revoke": "API key revoked",
};

export function orgActionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** One sentence saying what happened (who did it is the log's own column). */
export function describeOrgEvent(e: Pick<OrgAuditEvent, "action" | "targetType" | "targetId" | "details">, names: OrgEventNames): string {
  const d = (e.details && typeof e.details === "object" ? e.details : {}) as Details;
  const user = (id: unknown) => (typeof id === "string" && names.users.get(id)) || "a former member";
  const app = (id: unknown) => (typeof id === "string" && names.clients.get(id) ? `the app ${q(names.clients.get(id))}` : "a removed app");
  const target = e.targetId ?? "";
  const via = d.via === "cli" ? " (from the command line)" : d.via === "setup" ? " (first-run setup)" : "";
  switch (e.action) {
    case "org.created": return `Created the organization${via}`;
    case "project.created": return `Created the project ${q(d.slug ?? target)}${via}`;
    case "project.settings": return `Changed project settings: ${Object.keys(d).join(", ") || "none"}`;
    case "project.visibility": return `Changed visibility from ${d.from} to ${d.to}`;
    case "project.publish": {
      const what = changes(d.tools);
      const missing = Array.isArray(d.confirmedMissingSecrets) && d.confirmedMissingSecrets.length ? `; published without secrets ${list(d.confirmedMissingSecrets)}` : "";
      return `Published version ${d.number}${what ? ` (tools: ${what})` : ""}${missing}`;
    }
    case "project.rollback": return `Rolled production back to version ${d.number}`;
    // `before` is recorded since issue 16 #6; older events have the new length only.
    case "instructions.set": return typeof d.before === "number" ? `Edited the draft instructions (${d.before} → ${plural(d.length, "character")})` : `Edited the draft instructions (${plural(d.length, "character")})`;
    case "tool.created": return `Created the draft tool ${q(target)}${d.kind ? ` (${d.kind})` : ""}`;
    case "tool.updated": {
      const renamed = d.renamedTo ? `, renamed it to ${q(d.renamedTo)}` : "";
      return `Edited the draft tool ${q(target)}${Array.isArray(d.fields) && d.fields.length ? `: ${list(d.fields)}` : ""}${renamed}`;
    }
    case "tool.deleted": return `Deleted the draft tool ${q(target)}`;
    case "tool.duplicated": return `Copied the draft tool ${q(d.from)} as ${q(target)}`;
    case "prompt.saved": return `Saved the draft prompt ${q(target)}`;
    case "prompt.deleted": return `Deleted the draft prompt ${q(target)}`;
    case "manifest.imported": {
      const parts = [changes(d.tools) && `tools: ${changes(d.tools)}`, changes(d.prompts) && `prompts: ${changes(d.prompts)}`, d.instructionsChanged ? "instructions changed" : ""].filter(Boolean);
      return `Imported a manifest into the draft${parts.length ? ` (${parts.join("; ")})` : " (no changes)"}`;
    }
    case "secret.set": return d.tool ? `Set the ${d.channel} secret ${d.name} of tool ${q(d.tool)}` : `Set ${d.channel} secrets ${list(d.secrets)}${via}`;
    case "secret.delete": return `Removed the ${d.channel} secret ${d.name} of tool ${q(d.tool)}`;
    case "invite.created": return `Invited ${d.email} as ${d.role}${d.ttlHours ? ` (valid ${d.ttlHours} h)` : ""}`;
    case "invite.revoked": return `Withdrew an invitation as ${d.role}`;
    case "member.joined": return `Joined as ${d.role} by invitation`;
    case "member.added": return `Added ${user(target)} as ${d.role}${via}`;
    case "member.role": return `Changed the role of ${user(target)} from ${d.from} to ${d.to}`;
    case "member.removed": return `Removed ${user(target)} (${d.role}); revoked ${plural(d.grantsRevoked, "app connection")} and ${plural(d.keysRevoked, "API key")}`;
    case "member.access_ended": return `Ended the access of ${user(target)}; revoked ${plural(d.grantsRevoked, "app connection")} and ${plural(d.keysRevoked, "API key")}`;
    case "grant.created": return `Connected ${app(d.clientId)} to the ${d.channel} channel (scopes: ${d.scopes})`;
    case "grant.revoked": return `Disconnected ${app(d.clientId)} of ${user(d.userId)}${d.reason ? ` (${d.reason})` : ""}`;
    case "apikey.create": return `Created the API key ${q(d.name)} for ${d.channel} (scopes: ${list(d.scopes) || "MCP only"})`;
    case "apikey.revoke": return `Revoked the API key ${q(d.name)}${d.reason ? ` (${d.reason})` : ""}`;
    default: {
      const rest = fallback(d);
      return `${e.action}${e.targetId ? ` ${e.targetType ?? ""} ${e.targetId}` : ""}${rest ? ` (${rest})` : ""}`;
    }
  }
}

/** The user and app ids an event mentions, for the caller's one lookup per page. */
export function idsMentioned(e: Pick<OrgAuditEvent, "actorId" | "targetType" | "targetId" | "details">): { users: string[]; clients: string[] } {
  const d = (e.details && typeof e.details === "object" ? e.details : {}) as Details;
  const users = [e.actorId, e.targetType === "user" ? e.targetId : null, typeof d.userId === "string" ? d.userId : null].filter((v): v is string => Boolean(v));
  const clients = typeof d.clientId === "string" ? [d.clientId] : [];
  return { users, clients };
}
