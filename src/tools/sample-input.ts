/**
 * Sample input for a test run (issue 16 #2), read from the tool's inputSchema: the schema's own example
 * (JSON Schema 2020-12 §9.5 `examples`, or the OpenAPI-style `example`) or `default` when it is an object,
 * else each property's `default`, first `examples` entry, `example` or `const`. A property with none of
 * them is left out for the developer to fill in; a schema with none gives `{}`.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

function exampleOf(schema: Json): unknown {
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  return schema.const;
}

export function sampleInput(inputSchema: Json): Json {
  const whole = Array.isArray(inputSchema.examples) ? inputSchema.examples[0] : (inputSchema.example ?? inputSchema.default);
  if (isObject(whole)) return whole;
  const out: Json = {};
  const properties = isObject(inputSchema.properties) ? inputSchema.properties : {};
  for (const [name, property] of Object.entries(properties)) {
    if (!isObject(property)) continue;
    const value = exampleOf(property);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
