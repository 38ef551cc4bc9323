import { afterEach, describe, expect, test } from "bun:test";
import { makeApp, type TestApp } from "../helpers";
import { authorizeParams, authorizePath, openConsent, pkce, seedWorld, signIn } from "./fixtures";

let t: TestApp;
afterEach(() => t?.close());

// Issue 11 #9: a refused Client ID Metadata Document fetch named the address the host resolved to on the
// page ("resolves to … (127.0.0.1)"), so anyone could map Portico's internal DNS by naming client_ids.
describe("CIMD fetch errors on the page", () => {
  test("attack: a CIMD client_id whose name resolves to loopback gets a page that does not reveal the address", async () => {
    t = await makeApp();
    const w = await seedWorld(t.deps);
    const clientId = "https://localhost:9/client.json";
    const params = { ...authorizeParams(clientId, pkce().challenge, w.url("shop")), redirect_uri: "http://127.0.0.1:9/cb" };
    // Signed in or not, the page is the same refusal; check both faces.
    for (const cookie of [(await signIn(t.deps, w.users.viewer.email)).cookie, ""]) {
      const page = await openConsent(t.app, authorizePath(params), cookie);
      expect(page.res.status).toBe(400);
      expect(page.html).toContain("private or reserved address");
      const withoutOwnUrl = page.html.replaceAll("127.0.0.1:9/cb", "");
      expect(withoutOwnUrl).not.toContain("127.0.0.1");
      expect(withoutOwnUrl).not.toContain("::1");
    }
  });
});
