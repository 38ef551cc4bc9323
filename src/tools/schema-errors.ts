/** ajv errors in words a host can show, naming the bad field. */
import type { ErrorObject } from "ajv";

/** Readable ajv errors: "text: must be string", "missing required field \"text\"". */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => {
      const field = e.instancePath.replace(/^\//, "").replace(/\//g, ".");
      if (e.keyword === "required") return `missing required field "${[field, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join(".")}"`;
      if (e.keyword === "additionalProperties") return `unknown field "${[field, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join(".")}"`;
      return `${field || "arguments"}: ${e.message ?? "is invalid"}`;
    })
    .join("; ");
}
