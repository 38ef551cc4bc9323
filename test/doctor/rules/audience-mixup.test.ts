import { expect, test } from "bun:test";
import { audienceMixup } from "../../../src/doctor/rules/audience-mixup";
import { client, ev } from "./events";

test("a production token sent to the draft URL: draft/production mix-up, with the URL to connect", () => {
  const f = audienceMixup(client([ev("mcp", "fail", 3, { why: "audience", channel: "draft", tokenFor: "production" })]));
  expect(f?.id).toBe("draft-production-mixup");
  expect(f?.title).toBe("Claude sent a token issued for the production server to the draft URL; draft and production are separate servers with separate sign-ins.");
  expect(f?.fix).toContain("https://portico.example/acme/shop/draft for draft");
});

test("a token for another server entirely is a plain wrong audience", () => {
  const f = audienceMixup(client([ev("mcp", "fail", 3, { why: "audience", channel: "production", tokenFor: "another server" })]));
  expect(f?.id).toBe("wrong-audience");
  expect(f?.title).toBe("Claude sent a token issued for another MCP server to this production URL.");
  expect(audienceMixup(client([ev("mcp", "fail", 3, { why: "revoked" })]))).toBeNull();
});
