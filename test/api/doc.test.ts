import { expect, test } from "bun:test";
import { z } from "zod";
import { doc } from "../../src/api/doc";

test("an operation's body schema becomes JSON Schema when the document reads it, not when the route is defined", () => {
  let converted = 0;
  const Body = z.lazy(() => {
    converted++;
    return z.object({ name: z.string().min(1) });
  });
  const { detail } = doc("things", "Create a thing", { body: Body });
  expect(converted).toBe(0);
  expect(detail.requestBody).toEqual({
    required: true,
    content: { "application/json": { schema: expect.objectContaining({ type: "object", required: ["name"] }) } },
  });
  const afterFirstRead = converted;
  expect(afterFirstRead).toBeGreaterThan(0);
  expect(detail.requestBody).toBe(detail.requestBody);
  expect(converted).toBe(afterFirstRead);
  expect(Object.keys(detail)).toEqual(["tags", "summary", "requestBody"]);
});
