import { expect, test } from "bun:test";
import { tokenNeverUsed } from "../../../src/doctor/rules/token-never-used";
import { client, ev, grant, NOW, MIN } from "./events";

test("tokens issued and no authenticated call after 5 minutes: known host behaviour, reconnect", () => {
  const f = tokenNeverUsed(client([ev("registration", "ok", 20), ev("token", "ok", 12)]));
  expect(f?.id).toBe("token-never-used");
  expect(f?.severity).toBe("warning");
  expect(f?.title).toBe("Claude got a token 12 minutes ago but has never used it to call this server.");
  expect(f?.fix).toContain("known host behaviour");
  expect(f?.fix).toContain("reconnect");
  expect(f?.at).toBe(NOW - 12 * MIN);
});

test("no finding while the host still has time, or once it called with the token", () => {
  expect(tokenNeverUsed(client([ev("token", "ok", 2)]))).toBeNull();
  expect(tokenNeverUsed(client([ev("token", "ok", 12), ev("mcp", "ok", 11)]))).toBeNull();
  expect(tokenNeverUsed(client([ev("token", "ok", 12)], { grants: [grant({ lastUsedAt: NOW - 11 * MIN })] }))).toBeNull();
});

test("calls without a token after the tokens were issued are named as most likely this host's", () => {
  const f = tokenNeverUsed(client([ev("token", "ok", 12)], { unauthenticated: [ev("mcp", "fail", 10, { why: "no_token" })] }));
  expect(f?.title).toBe("Claude got a token 12 minutes ago but has never used it to call this server. Calls without a valid token arrived since, most likely from this host.");
  expect(tokenNeverUsed(client([ev("token", "ok", 12)], { unauthenticated: [ev("mcp", "fail", 20, { why: "no_token" })] }))?.title).not.toContain("Calls without");
});

test("a revoked grant is not 'never used' (another rule says why it ended)", () => {
  expect(tokenNeverUsed(client([ev("token", "ok", 12)], { grants: [grant({ revokedAt: NOW - MIN })] }))).toBeNull();
});
