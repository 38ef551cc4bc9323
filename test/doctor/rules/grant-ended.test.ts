import { expect, test } from "bun:test";
import { grantRevoked, memberRemoved, sessionEnded } from "../../../src/doctor/rules/grant-ended";
import { client, ev } from "./events";

test("the approving session ended: signed out or password changed, reconnect", () => {
  const f = sessionEnded(client([ev("token", "ok", 60), ev("mcp", "fail", 5, { why: "session_ended" })]));
  expect(f?.id).toBe("session-ended");
  expect(f?.title).toBe("The Portico sign-in that approved Claude has ended (signed out, password changed, or idle too long), so its authorization ended with it.");
  expect(f?.fix).toContain("Reconnect the app in the host");
  expect(memberRemoved(client([ev("mcp", "fail", 5, { why: "session_ended" })]))).toBeNull();
});

test("member removed, or role lowered, each in its own words", () => {
  const removed = memberRemoved(client([ev("mcp", "fail", 5, { why: "member_removed" })]));
  expect(removed?.id).toBe("member-removed");
  expect(removed?.title).toBe("The user who connected Claude is no longer a member of this organization, so its authorization ended.");
  expect(removed?.fix).toContain("invite the user again");
  const lowered = memberRemoved(client([ev("mcp", "fail", 5, { why: "role_lowered", channel: "draft" })]));
  expect(lowered?.id).toBe("role-lowered");
  expect(lowered?.title).toBe("The user who connected Claude had their role lowered and may no longer use the draft channel.");
});

test("a revoked grant still in use names the reason; a reconnect afterwards clears it", () => {
  const f = grantRevoked(client([ev("mcp", "fail", 5, { why: "revoked", revokedReason: "revoked by an admin" })]));
  expect(f?.id).toBe("grant-revoked");
  expect(f?.title).toBe("Claude's authorization was revoked (revoked by an admin), but the host still uses it.");
  expect(grantRevoked(client([ev("mcp", "fail", 5, { why: "revoked" }), ev("token", "ok", 1)]))).toBeNull();
});

test("other refusals (missing scope, wrong audience) are not a grant that ended", () => {
  expect(grantRevoked(client([ev("mcp", "fail", 5, { why: "missing_scope" })]))).toBeNull();
  expect(sessionEnded(client([ev("mcp", "fail", 5, { why: "audience" })]))).toBeNull();
});
