/**
 * The OAuth endpoints' error boundary (STYLE: "anything unknown is logged and answered as a generic 500 —
 * never echo err.message"): an internal failure (here a table gone from the database) reaches the client
 * as `server_error` JSON with CORS on the JSON endpoints and as a plain page on the authorize page, while
 * the log keeps the real cause for the administrator.
 */
import { describe, expect, test } from "bun:test";
import { req } from "../helpers";
import { authorizeParams, authorizePath, pkce, registerClient, tokenRequest, worldPerTest } from "./fixtures";

const ctx = worldPerTest();
const dropTable = (name: string) => ctx.t.deps.db.$client.run(`DROP TABLE ${name}`);

describe("unknown errors", () => {
  test("token endpoint: 500 server_error with CORS and no internal message; the log has the cause", async () => {
    const client = await registerClient(ctx.t.app);
    dropTable("auth_codes");
    const res = await tokenRequest(ctx.t.app, { grant_type: "authorization_code", client_id: client.client_id, code: "pac_x", redirect_uri: "http://127.0.0.1:1/cb", code_verifier: "v".repeat(43) });
    expect(res.status).toBe(500);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const text = await res.text();
    expect(JSON.parse(text).error).toBe("server_error");
    expect(text).not.toContain("auth_codes");
    expect(text).not.toContain("SQLite");
    expect(ctx.t.logs.text).toContain("no such table: auth_codes");
  });

  test("authorize page: a generic page, no internal message", async () => {
    const client = await registerClient(ctx.t.app);
    dropTable("auth_requests");
    const res = await req(ctx.t.app, authorizePath(authorizeParams(client.client_id, pkce().challenge, ctx.w.url("shop"))));
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("Something went wrong");
    expect(html).not.toContain("auth_requests");
    expect(ctx.t.logs.text).toContain("no such table: auth_requests");
  });
});
