import { expect, test } from "bun:test";
import { authorizationAbandoned } from "../../../src/doctor/rules/authorization-abandoned";
import { client, ev } from "./events";

test("registered, opened the page, never approved: the user closed the window", () => {
  const f = authorizationAbandoned(client([ev("registration", "ok", 30), ev("authorize", "ok", 29), ev("consent", "ok", 29, { phase: "shown" })]));
  expect(f?.id).toBe("authorization-abandoned");
  expect(f?.title).toBe("Claude registered 29 minutes ago but never finished authorizing: the user closed the sign-in window or never approved.");
  expect(f?.fix).toContain("click Authorize");
});

test("the redirect URI was refused: says so, with the address (no query)", () => {
  const f = authorizationAbandoned(client([
    ev("registration", "ok", 30),
    ev("authorize", "fail", 29, { redirectRefused: true, redirect: "https://evil.example/cb" }, "The redirect_uri is not one the app registered, so Portico will not send you there."),
  ]));
  expect(f?.severity).toBe("error");
  expect(f?.title).toBe("Claude started connecting 30 minutes ago, but Portico refused its redirect URI https://evil.example/cb: The redirect_uri is not one the app registered, so Portico will not send you there.");
  expect(f?.fix).toContain("redirect URI");
});

test("denied by the user, or refused for membership, each says which", () => {
  const denied = authorizationAbandoned(client([ev("registration", "ok", 30), ev("consent", "fail", 28, { why: "denied" })]));
  expect(denied?.title).toBe("The user clicked Deny when Claude asked for access, 30 minutes ago.");
  const refused = authorizationAbandoned(client([ev("registration", "ok", 30), ev("consent", "fail", 28, { why: "refused" }, "refused: membership or role")]));
  expect(refused?.title).toContain("signed in with an account that may not use this project");
});

test("no finding before 10 minutes, nor once a token was issued", () => {
  expect(authorizationAbandoned(client([ev("registration", "ok", 5)]))).toBeNull();
  expect(authorizationAbandoned(client([ev("registration", "ok", 30), ev("token", "ok", 28)]))).toBeNull();
});
