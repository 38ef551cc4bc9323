/** OpenAPI metadata for API routes, with request bodies described by the same zod schemas that validate them. */
import { z } from "zod";

/** Extra OpenAPI details of an operation. */
export interface DocOptions {
  body?: z.ZodType;
  description?: string;
}

/** The `detail` hook for one operation. */
export function doc(tag: string, summary: string, o: DocOptions = {}) {
  const requestBody = o.body
    ? { required: true, content: { "application/json": { schema: z.toJSONSchema(o.body, { io: "input", unrepresentable: "any" }) as Record<string, unknown> } } }
    : undefined;
  return { detail: { tags: [tag], summary, ...(o.description ? { description: o.description } : {}), ...(requestBody ? { requestBody } : {}) } };
}

/** 201 with a JSON body. */
export function created(body: unknown): Response {
  return Response.json(body, { status: 201 });
}

/** 204, for deletions. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}
