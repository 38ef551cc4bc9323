/** OpenAPI metadata for API routes, with request bodies described by the same zod schemas that validate them. */
import { z } from "zod";

/** Extra OpenAPI details of an operation. */
export interface DocOptions {
  body?: z.ZodType;
  description?: string;
}

interface RequestBody {
  required: true;
  content: { "application/json": { schema: Record<string, unknown> } };
}

/** An operation's OpenAPI metadata. */
export interface OperationDetail {
  tags: string[];
  summary: string;
  description?: string;
  requestBody?: RequestBody;
}

/**
 * The `detail` hook for one operation. The body's JSON Schema is made when the OpenAPI document first
 * reads it (a getter): converting every body schema at start cost ~10 ms of the app's construction
 * (measured on the binary, docs/architecture.md: cold start ≤ 150 ms), and the document is rarely read.
 */
export function doc(tag: string, summary: string, o: DocOptions = {}): { detail: OperationDetail } {
  const detail: OperationDetail = { tags: [tag], summary, ...(o.description ? { description: o.description } : {}) };
  const body = o.body;
  if (!body) return { detail };
  let requestBody: RequestBody | undefined;
  const read = () => (requestBody ??= { required: true, content: { "application/json": { schema: z.toJSONSchema(body, { io: "input", unrepresentable: "any" }) as Record<string, unknown> } } });
  return { detail: Object.defineProperty(detail, "requestBody", { enumerable: true, get: read }) };
}

/** 201 with a JSON body. */
export function created(body: unknown): Response {
  return Response.json(body, { status: 201 });
}

/** 204, for deletions. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** The OpenAPI metadata of a route that is one service operation: its summary and its input schema. */
export function opDoc(tag: string, op: { summary: string; input: z.ZodType }): { detail: OperationDetail } {
  return doc(tag, op.summary, { body: op.input });
}
