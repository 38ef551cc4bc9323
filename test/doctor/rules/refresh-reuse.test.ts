import { expect, test } from "bun:test";
import { refreshReuse } from "../../../src/doctor/rules/refresh-reuse";
import { client, ev } from "./events";

test("a refresh token reused after the grace window revoked the grant: says so, reconnect", () => {
  const f = refreshReuse(client([ev("token", "ok", 30), ev("refresh", "ok", 20), ev("refresh", "fail", 10, { reuse: "after_grace", error: "invalid_grant" })]));
  expect(f?.id).toBe("refresh-reuse-revoked");
  expect(f?.severity).toBe("error");
  expect(f?.title).toBe("Claude used an old refresh token again after the 30-second grace window, so Portico revoked its authorization for safety.");
  expect(f?.fix).toStartWith("Reconnect the app in the host.");
});

test("a retry inside the grace window is fine, and a reconnect afterwards clears the finding", () => {
  expect(refreshReuse(client([ev("refresh", "ok", 10, { reuse: "grace" })]))).toBeNull();
  expect(refreshReuse(client([ev("refresh", "fail", 10, { reuse: "after_grace" }), ev("token", "ok", 5)]))).toBeNull();
});
