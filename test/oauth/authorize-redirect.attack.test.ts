import { afterEach, describe, expect, test } from "bun:test";
import { req, makeApp, type TestApp } from "../helpers";
import { authorizeParams, authorizePath, pkce, registerClient, seedWorld } from "./fixtures";

let t: TestApp;
afterEach(() => t?.close());

// Issue 11 #7 (RFC 9700 §4.11.1): anyone can register a client naming any redirect URI, so an invalid
// authorization request for it must not bounce the browser there without the user doing anything —
// Portico's own link would be an open redirector for phishing.
describe("authorization errors of freshly registered clients", () => {
  test("attack: an invalid authorize request from a fresh DCR client gets an error page, not a redirect to its redirect_uri", async () => {
    t = await makeApp();
    const w = await seedWorld(t.deps);
    const phishing = "https://evil.example/login-to-portico";
    const { client_id } = await registerClient(t.app, { client_name: "Totally Portico", redirect_uris: [phishing] });
    for (const extra of [{ response_type: "token" }, { code_challenge: undefined }, { code_challenge_method: "plain" }, { resource: "https://elsewhere.example/x" }]) {
      const res = await req(t.app, authorizePath(authorizeParams(client_id, pkce().challenge, w.url("shop"), { redirect_uri: phishing, ...extra })));
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(await res.text()).toContain("Authorization failed");
    }
  });
});
