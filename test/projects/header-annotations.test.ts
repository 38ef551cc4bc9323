/** x-mcp-header annotations are checked when a tool is saved (MCP 2026-07-28 §Custom Headers): a bad one is refused, named. */
import { expect, test } from "bun:test";
import { parseToolDefinition } from "../../src/projects/draft";

const tool = (inputSchema: Record<string, unknown>) => ({ name: "t", kind: "interactive", description: "d", inputSchema, html: "<p>x</p>" });
const prop = (extra: Record<string, unknown>) => ({ type: "object", properties: { region: { type: "string", ...extra } } });

test("valid annotations on reachable primitive properties are kept", async () => {
  const schema = { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" }, nested: { type: "object", properties: { n: { type: "integer", "x-mcp-header": "N" } } } } };
  expect((await parseToolDefinition(tool(schema))).inputSchema).toEqual(schema);
});

test("bad annotations are refused with the reason and the place", async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [prop({ "x-mcp-header": "" }), "HTTP token"],
    [prop({ "x-mcp-header": "Re gion" }), "HTTP token"],
    [{ type: "object", properties: { f: { type: "number", "x-mcp-header": "F" } } }, "string, integer or boolean"],
    [{ type: "object", properties: { a: { type: "string", "x-mcp-header": "Same" }, b: { type: "string", "x-mcp-header": "SAME" } } }, "ignoring case"],
    [{ type: "object", properties: { list: { type: "array", items: { type: "string", "x-mcp-header": "Item" } } } }, "reached through"],
    [{ type: "object", properties: {}, anyOf: [{ properties: { a: { type: "string", "x-mcp-header": "A" } } }] }, "reached through"],
  ];
  for (const [schema, why] of cases) await expect(parseToolDefinition(tool(schema))).rejects.toThrow(why);
});
