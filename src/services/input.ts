/** Service input: every operation parses what a face hands it with its zod schema (docs/architecture.md: Service layer). */
import type { z } from "zod";
import { fromZod } from "../errors";

/** Parses input with a zod schema; a failure becomes a ValidationError naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  return parsed.data;
}
