/**
 * `x-mcp-header` annotations in a tool's inputSchema (MCP 2026-07-28 §Streamable HTTP "Custom Headers from
 * Tool Parameters", SEP-2243). A client MUST drop a tool whose annotations break the rules, so a bad one
 * would make the tool silently vanish for 2026 clients: it is refused when the tool is saved, naming why.
 * Rules: a non-empty HTTP token, unique ignoring case, only on string/integer/boolean properties, and only
 * where a chain of `properties` keys from the root reaches (never under items, composition, conditionals
 * or $ref).
 */
import { ValidationError } from "../errors";

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PRIMITIVE = new Set(["string", "integer", "boolean"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Throws a ValidationError naming the first annotation that breaks a rule. */
export function checkHeaderAnnotations(schema: unknown): void {
  const seen = new Map<string, string>();
  const reachable = new Set<unknown>();
  // Pass 1: what a chain of `properties` keys reaches, with its checks.
  const walk = (node: unknown, path: string) => {
    if (!isObject(node) || !isObject(node.properties)) return;
    for (const [key, child] of Object.entries(node.properties)) {
      if (!isObject(child)) continue;
      const at = `${path}.${key}`;
      reachable.add(child);
      const header = child["x-mcp-header"];
      if (header !== undefined) {
        if (typeof header !== "string" || !TOKEN.test(header)) throw new ValidationError(`inputSchema${at}: x-mcp-header must be a non-empty HTTP token (letters, digits and !#$%&'*+.^_\`|~-)`);
        if (!PRIMITIVE.has(child.type as string)) throw new ValidationError(`inputSchema${at}: x-mcp-header is only allowed on string, integer or boolean properties`);
        const other = seen.get(header.toLowerCase());
        if (other) throw new ValidationError(`inputSchema${at}: x-mcp-header "${header}" is also used by ${other} (names are compared ignoring case)`);
        seen.set(header.toLowerCase(), `inputSchema${at}`);
      }
      walk(child, `${at}`);
    }
  };
  walk(schema, "");
  // Pass 2: an annotation anywhere else (under items, anyOf, $defs, …) is not reachable.
  const find = (node: unknown, path: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => find(n, `${path}[${i}]`));
    if (!isObject(node)) return;
    if (node["x-mcp-header"] !== undefined && !reachable.has(node)) {
      throw new ValidationError(`inputSchema${path}: x-mcp-header is only allowed on properties reached through "properties" from the root (not under items, anyOf/oneOf/allOf, if/then/else or $ref)`);
    }
    for (const [k, v] of Object.entries(node)) find(v, `${path}.${k}`);
  };
  find(schema, "");
}
