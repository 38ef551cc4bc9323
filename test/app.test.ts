/**
 * How the app is put together costs every request (issue 19): Elysia infers from each hook's source which
 * parts of the request context every route must prepare. One hook that handed the whole context on (`(input)
 * => pages(input)`) made every route — the MCP endpoints too — parse cookies and query strings and rebuild its
 * Response to merge headers (10 % of a Postgres tools/call in the profile). Hooks destructure what they use.
 */
import { expect, test } from "bun:test";
import { makeApp } from "./helpers";

test("no hook makes every route parse cookies, query strings, bodies or headers", async () => {
  const t = await makeApp();
  const inference = (t.app as unknown as { inference: Record<string, boolean> }).inference;
  await t.close();
  expect({ cookie: inference.cookie, query: inference.query, body: inference.body, headers: inference.headers, set: inference.set }).toEqual({
    cookie: false, query: false, body: false, headers: false, set: false,
  });
});
