/** Script tools that ask, as the conformance suites name them (test/e2e/fixtures/conformance-manifest.json has the full set). */
export const NAME_SCHEMA = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

export const GREET = {
  name: "greet",
  kind: "script",
  description: "Asks for a name, then greets",
  script: `export default async (input, env) => {
    const r = await env.ask({ message: "What is your name?", schema: ${JSON.stringify(NAME_SCHEMA)}, key: "user_name" });
    return { content: [{ type: "text", text: r.action === "accept" ? "Hello, " + r.content.name + "!" : "No name given" }] };
  }`,
} as const;

export const TWO_STEPS = {
  name: "two_steps",
  kind: "script",
  description: "Asks twice",
  script: `export default async (input, env) => {
    const a = await env.ask({ message: "Step 1: What is your name?", schema: ${JSON.stringify(NAME_SCHEMA)}, key: "step1" });
    const b = await env.ask({ message: "Step 2: What is your favorite color?", schema: { type: "object", properties: { color: { type: "string" } }, required: ["color"] }, key: "step2" });
    return a.content.name + " likes " + b.content.color;
  }`,
} as const;

export const accept = (content: Record<string, unknown>) => ({ action: "accept", content });
