/**
 * Refused calls or refreshes because the grant ended: the approving session ended, the member was removed,
 * the role was lowered, or the grant was revoked. Each says why, read from the step's `why` detail
 * (`grantProblemKind`, src/oauth/grant-check.ts).
 */
import type { DoctorEvent, Finding } from "../report";
import { newest, type ClientContext, type ClientRule } from "./context";

const GRANT_ENDED = ["gone", "revoked", "member_removed", "session_ended", "not_member", "role_lowered"];
const REFUSED = (e: DoctorEvent) => (e.step === "mcp" || e.step === "refresh") && e.outcome === "fail" && GRANT_ENDED.includes(String(e.detail.why));

/** The newest refusal of the client, unless it connected again afterwards. */
function lastRefusal(ctx: ClientContext, whys: string[]): DoctorEvent | null {
  const refusal = newest(ctx.events, REFUSED);
  if (!refusal || !whys.includes(String(refusal.detail.why))) return null;
  const reconnected = ctx.events.some((e) => e.step === "token" && e.outcome === "ok" && e.time > refusal.time);
  return reconnected ? null : refusal;
}

const RECONNECT = "Reconnect the app in the host (remove it and add it again, or use its Connect button) and approve again.";

export const sessionEnded: ClientRule = (ctx) => {
  const e = lastRefusal(ctx, ["session_ended"]);
  if (!e) return null;
  return {
    id: "session-ended",
    severity: "error",
    title: `The Portico sign-in that approved ${ctx.name} has ended (signed out, password changed, or idle too long), so its authorization ended with it.`,
    fix: RECONNECT,
    at: e.time,
  };
};

export const memberRemoved: ClientRule = (ctx) => {
  const e = lastRefusal(ctx, ["member_removed", "not_member", "role_lowered"]);
  if (!e) return null;
  const lowered = e.detail.why === "role_lowered";
  const finding: Finding = {
    id: lowered ? "role-lowered" : "member-removed",
    severity: "error",
    title: lowered
      ? `The user who connected ${ctx.name} had their role lowered and may no longer use the ${e.detail.channel ?? "this"} channel.`
      : `The user who connected ${ctx.name} is no longer a member of this organization, so its authorization ended.`,
    fix: lowered
      ? "An admin can raise the user's role on the Members page; or connect the app with an account that has the role needed."
      : "An admin can invite the user again on the Members page; then reconnect the app in the host. Or connect it with another member's account.",
    at: e.time,
  };
  return finding;
};

export const grantRevoked: ClientRule = (ctx) => {
  const e = lastRefusal(ctx, ["revoked", "gone"]);
  if (!e || e.detail.reuse === "after_grace") return null;
  const why = typeof e.detail.revokedReason === "string" ? ` (${e.detail.revokedReason})` : "";
  return {
    id: "grant-revoked",
    severity: "error",
    title: `${ctx.name}'s authorization was revoked${why}, but the host still uses it.`,
    fix: RECONNECT,
    at: e.time,
  };
};
